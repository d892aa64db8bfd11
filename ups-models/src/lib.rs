//! What a UPS is, as data: model specs, battery blocks, data-sheet tables, their loader and
//! validator. No behaviour lives here.

pub mod battery;
pub mod bundled;
pub mod datasheet;
pub mod error;
pub mod flags;
pub mod loader;
pub mod map;
pub mod maps;
pub mod model;
pub mod profile;
pub mod ron_text;
pub mod validate;

pub use error::{LoadError, Located};
pub use loader::{LoadedModel, load_block, load_model};
pub use model::UpsModel;
