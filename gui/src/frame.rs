//! What the window's plugins share each frame without depending on one another: the
//! panels' layout pass, which what draws over the middle follows, and the middle it leaves.

use bevy::prelude::*;
use bevy_egui::egui;

/// The panels' layout pass; what draws over the window's middle comes after it.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PanelsSet;

/// Where the synoptic is drawn: the window's middle, in logical pixels.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct Central(pub Option<egui::Rect>);

/// What the window shows: the one UPS it was opened on, a fleet's tiles, or one device of
/// that fleet (its synoptic and panels, with a way back to the tiles).
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shown {
    #[default]
    Ups,
    Fleet,
    FleetDevice,
}
