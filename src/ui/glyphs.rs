//! Glyph sets (placeholder; being written).

#[derive(Clone, Debug, Default)]
pub struct Glyphs;

impl Glyphs {
    pub fn unicode() -> Glyphs {
        Glyphs
    }
}
