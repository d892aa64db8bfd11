//! The models and battery blocks shipped inside the binary, so `--model NAME` works from any
//! directory. The files live in `ups-models/models/` and `ups-models/blocks/`.

macro_rules! bundle {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../", $dir, "/", $name, ".ron")))),*]
    };
}

/// (name, RON text) of every bundled UPS model, in display order.
pub const MODELS: &[(&str, &str)] = bundle!("models":
    "netys-pr-3k",
    "itys-2k",
    "masterys-gp-60",
    "delphys-mx-300",
    "delphys-mx-system",
    "modulys-gp2-100",
);

/// (name, RON text) of every bundled battery block.
pub const BLOCKS: &[(&str, &str)] = bundle!("blocks":
    "vrla-12v-38ah",
    "vrla-12v-7ah",
    "vrla-12v-9ah",
    "vrla-12v-7.8ah-high-rate",
    "vrla-12v-100ah",
);

pub fn model(name: &str) -> Option<&'static str> {
    MODELS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

pub fn block(name: &str) -> Option<&'static str> {
    BLOCKS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
