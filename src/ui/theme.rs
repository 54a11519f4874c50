//! Colour themes (placeholder; being written).

#[derive(Clone, Debug, Default)]
pub struct Theme;

impl Theme {
    pub fn from_env() -> Theme {
        Theme
    }
}
