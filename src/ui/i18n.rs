//! Interface text in English and Chinese (placeholder; being written).

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn from_env() -> Lang {
        Lang::En
    }
}
