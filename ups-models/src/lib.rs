//! What a UPS is, as data: model specs, battery blocks, data-sheet tables, their loader and
//! validator. No behaviour lives here.

pub mod battery;
pub mod datasheet;
pub mod error;

pub use error::{LoadError, Located};
