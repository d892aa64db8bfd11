//! One palette for the window, the same as the card's pages (`card-under-test/web/app.css`):
//! NET VISION's synoptic colours (§12.1.1) and the neutral tones around them.

use card::derive::synoptic::Colour;
use card::derive::topology::DeviceStatus;

/// sRGB bytes.
pub type Rgb = [u8; 3];

pub const GREY: Rgb = [0x9a, 0xa3, 0xad];
pub const GREEN: Rgb = [0x2e, 0x9e, 0x44];
pub const YELLOW: Rgb = [0xf2, 0xb7, 0x05];
pub const RED: Rgb = [0xd9, 0x30, 0x25];
/// The synoptic's background and the inside of its boxes.
pub const CANVAS: Rgb = [0xff, 0xff, 0xff];
/// Text and symbols.
pub const INK: Rgb = [0x1d, 0x27, 0x33];
/// Empty gauges and battery cells.
pub const TRACK: Rgb = [0xe6, 0xea, 0xee];
/// The window's title bar (the card's top bar).
pub const BAR: Rgb = [0x12, 0x35, 0x5b];
pub const ACCENT: Rgb = [0x1f, 0x6f, 0xb2];

/// The colour an element is drawn in; `None` when it is not drawn at all.
pub fn of(colour: Colour) -> Option<Rgb> {
    match colour {
        Colour::Hidden => None,
        Colour::Grey => Some(GREY),
        Colour::Green => Some(GREEN),
        Colour::Yellow => Some(YELLOW),
        Colour::Red => Some(RED),
    }
}

/// The colour of a UPS's, unit's or module's status icon (§11.3).
pub fn of_status(status: DeviceStatus) -> Rgb {
    match status {
        DeviceStatus::Standby => GREY,
        DeviceStatus::Operating => GREEN,
        DeviceStatus::OperatingWithAlarm => YELLOW,
        DeviceStatus::OperatingWithCriticalAlarm | DeviceStatus::ImminentStop => RED,
    }
}

pub fn bevy(rgb: Rgb) -> bevy::color::Color {
    bevy::color::Color::srgb_u8(rgb[0], rgb[1], rgb[2])
}

pub fn egui(rgb: Rgb) -> bevy_egui::egui::Color32 {
    bevy_egui::egui::Color32::from_rgb(rgb[0], rgb[1], rgb[2])
}

/// Whether two colours are the same to within `tolerance` per channel (a screenshot's
/// pixels after blending).
pub fn near(a: Rgb, b: Rgb, tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_colour_of_the_manual_has_its_own_tone_and_hidden_draws_nothing() {
        let drawn: Vec<Rgb> =
            [Colour::Grey, Colour::Green, Colour::Yellow, Colour::Red].into_iter().filter_map(of).collect();
        assert_eq!(drawn, [GREY, GREEN, YELLOW, RED]);
        assert_eq!(of(Colour::Hidden), None);
        for (i, a) in drawn.iter().enumerate() {
            for b in &drawn[i + 1..] {
                assert!(!near(*a, *b, 40), "{a:?} and {b:?} are told apart in a screenshot");
            }
        }
    }
}
