//! The fleet view's tiles as plain data: a device's status colour as NET VISION draws it,
//! the sections by site and feed, where each tile goes for a width, which tile is under a
//! point, the filter and the counts. No window here: the view draws what this decides.

use crate::palette::{self, Rgb};
use bevy_egui::egui::{Pos2, Rect, pos2, vec2};
use card::derive::View;
use card::derive::synoptic::Colour;

/// Side of a tile and the gap between tiles, logical pixels.
pub const TILE: f32 = 14.0;
pub const GAP: f32 = 2.0;
/// Height of a section's heading and the space after a section.
pub const HEADING: f32 = 22.0;
pub const AFTER: f32 = 10.0;

/// A tile's colour, in NET VISION's colours (§12.1.1): red when any element of the synoptic
/// is red; grey when the load is not fed; yellow where the output (element 8) is yellow, on
/// bypass or battery; green otherwise. Whether the load is fed is the twin's own truth: the
/// JBUSP bits cannot tell a line-interactive UPS feeding its load through its regulator
/// (element 8 grey: neither inverter nor bypass) from an online UPS with its load off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    /// Not read yet (the first sweep is under way).
    #[default]
    Unread,
    LoadOff,
    Normal,
    OnBypassOrBattery,
    Alarm,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Normal, Status::OnBypassOrBattery, Status::Alarm, Status::LoadOff, Status::Unread];

    pub fn of(view: &View, load_fed: bool) -> Status {
        if view.synoptic.iter().any(|e| e.colour == Colour::Red) {
            return Status::Alarm;
        }
        if !load_fed {
            return Status::LoadOff;
        }
        match view.synoptic.iter().find(|e| e.number == 8).map(|e| e.colour) {
            Some(Colour::Yellow) => Status::OnBypassOrBattery,
            _ => Status::Normal,
        }
    }

    pub fn rgb(self) -> Rgb {
        match self {
            Status::Unread => palette::TRACK,
            Status::LoadOff => palette::GREY,
            Status::Normal => palette::GREEN,
            Status::OnBypassOrBattery => palette::YELLOW,
            Status::Alarm => palette::RED,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Unread => "not read yet",
            Status::LoadOff => "load off",
            Status::Normal => "normal",
            Status::OnBypassOrBattery => "on bypass or battery",
            Status::Alarm => "alarm",
        }
    }

    fn index(self) -> usize {
        Status::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// What a tile knows of its device: its status and the supply faults in force (which the
/// feed buttons offer to clear).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TileState {
    pub status: Status,
    pub blackout: bool,
    pub sag: bool,
    pub genset: bool,
}

/// Who a device is, as the fleet file made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub site: String,
    pub feed: String,
    pub group: String,
    pub model: String,
    /// Where the system under test reaches it (`127.1.0.7:502`).
    pub address: String,
}

/// Which devices are shown: names, groups, models, sites and feeds containing the text (any
/// case), and of one status when one is chosen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub text: String,
    pub status: Option<Status>,
}

impl Filter {
    /// A device's words the text is looked for in: its name, group, model, site and feed,
    /// in lower case (made once per device).
    pub fn words(device: &Identity) -> String {
        [&device.name, &device.group, &device.model, &device.site, &device.feed]
            .map(|field| field.to_lowercase())
            .join("\n")
    }

    /// Whether the device with these `words` and this status is shown.
    pub fn admits(&self, words: &str, status: Status) -> bool {
        if self.status.is_some_and(|wanted| wanted != status) {
            return false;
        }
        let text = self.text.trim();
        text.is_empty() || words.contains(&text.to_lowercase())
    }
}

/// How many devices have each status, in `Status::ALL`'s order.
pub fn counts(states: &[TileState]) -> [usize; 5] {
    let mut counts = [0; 5];
    for state in states {
        counts[state.status.index()] += 1;
    }
    counts
}

/// The devices of one feed of one site that the filter admits, in fleet order.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub site: String,
    pub feed: String,
    pub devices: Vec<usize>,
}

/// The admitted devices by site, then feed, each in the order the fleet first names them.
pub fn sections<'a>(
    devices: impl IntoIterator<Item = &'a Identity>,
    admitted: impl Fn(usize) -> bool,
) -> Vec<Section> {
    let mut sites: Vec<&str> = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for (index, device) in devices.into_iter().enumerate() {
        if !sites.contains(&device.site.as_str()) {
            sites.push(&device.site);
        }
        if !admitted(index) {
            continue;
        }
        // Devices come grouped: the last section first.
        match sections.iter_mut().rev().find(|s| s.site == device.site && s.feed == device.feed) {
            Some(section) => section.devices.push(index),
            None => sections.push(Section {
                site: device.site.clone(),
                feed: device.feed.clone(),
                devices: vec![index],
            }),
        }
    }
    sections.sort_by_key(|s| sites.iter().position(|site| *site == s.site));
    sections
}

/// The sections placed for a width: a heading each, then rows of tiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub columns: usize,
    /// Top of each section, from the top of the whole.
    tops: Vec<f32>,
    pub height: f32,
}

impl Placed {
    pub fn new(sections: &[Section], width: f32) -> Placed {
        let columns = (((width + GAP) / (TILE + GAP)).floor() as usize).max(1);
        let mut tops = Vec::with_capacity(sections.len());
        let mut top = 0.0;
        for section in sections {
            tops.push(top);
            top += HEADING + rows(section.devices.len(), columns) as f32 * (TILE + GAP) + AFTER;
        }
        Placed { columns, tops, height: top }
    }

    /// Where the `k`-th tile of section `s` is, from the top left of the whole.
    pub fn tile(&self, s: usize, k: usize) -> Rect {
        let (row, column) = (k / self.columns, k % self.columns);
        let min = pos2(column as f32 * (TILE + GAP), self.tops[s] + HEADING + row as f32 * (TILE + GAP));
        Rect::from_min_size(min, vec2(TILE, TILE))
    }

    /// Where section `s`'s heading is written.
    pub fn heading(&self, s: usize) -> Pos2 {
        pos2(0.0, self.tops[s])
    }

    /// The sections any part of which lies between `top` and `bottom`.
    pub fn between(&self, top: f32, bottom: f32) -> std::ops::Range<usize> {
        let first = self.tops.partition_point(|t| *t <= top).saturating_sub(1);
        let end = self.tops.partition_point(|t| *t < bottom);
        first..end.max(first)
    }

    /// The tiles of section `s` in rows that lie between `top` and `bottom`.
    pub fn tiles_between(
        &self,
        sections: &[Section],
        s: usize,
        top: f32,
        bottom: f32,
    ) -> std::ops::Range<usize> {
        let first_row_top = self.tops[s] + HEADING;
        let row_of = |y: f32| ((y - first_row_top) / (TILE + GAP)).floor().max(0.0) as usize;
        let first = row_of(top) * self.columns;
        let end = (row_of(bottom) + 1) * self.columns;
        let count = sections[s].devices.len();
        first.min(count)..end.min(count)
    }

    /// The device whose tile is under `point` (from the top left of the whole).
    pub fn at(&self, sections: &[Section], point: Pos2) -> Option<usize> {
        let s = self.between(point.y, point.y).start;
        let section = sections.get(s)?;
        let (x, y) = (point.x, point.y - self.tops[s] - HEADING);
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (column, row) = ((x / (TILE + GAP)) as usize, (y / (TILE + GAP)) as usize);
        if column >= self.columns {
            return None;
        }
        let k = row * self.columns + column;
        let device = *section.devices.get(k)?;
        self.tile(s, k).contains(point).then_some(device)
    }
}

fn rows(tiles: usize, columns: usize) -> usize {
    tiles.div_ceil(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str, site: &str, feed: &str) -> Identity {
        Identity {
            name: name.into(),
            site: site.into(),
            feed: feed.into(),
            group: format!("{site}-group"),
            model: "masterys-gp-60".into(),
            address: "127.1.0.1:502".into(),
        }
    }

    /// Two sites; site a's feeds interleaved in the file, site b's device between them.
    fn fleet() -> Vec<Identity> {
        vec![
            device("a1", "a", "a-utility"),
            device("b1", "b", "b-utility"),
            device("a2", "a", "a-genset"),
            device("a3", "a", "a-utility"),
        ]
    }

    #[test]
    fn sections_follow_the_sites_then_their_feeds_in_fleet_order() {
        let sections = sections(&fleet(), |_| true);
        let shape: Vec<(&str, &str, Vec<usize>)> =
            sections.iter().map(|s| (s.site.as_str(), s.feed.as_str(), s.devices.clone())).collect();
        assert_eq!(
            shape,
            [("a", "a-utility", vec![0, 3]), ("a", "a-genset", vec![2]), ("b", "b-utility", vec![1])]
        );
        let only_b = super::sections(&fleet(), |i| i == 1);
        assert_eq!(only_b.len(), 1);
    }

    #[test]
    fn the_filter_matches_any_field_in_any_case_and_the_chosen_status() {
        let d = Filter::words(&device("HQ-SRV-002", "hq", "hq-utility"));
        let filter = |text: &str, status| Filter { text: text.into(), status };
        assert!(filter("", None).admits(&d, Status::Normal));
        assert!(filter("srv-002", None).admits(&d, Status::Normal));
        assert!(filter(" Utility ", None).admits(&d, Status::Normal));
        assert!(filter("gp-60", None).admits(&d, Status::Normal));
        assert!(!filter("branch", None).admits(&d, Status::Normal));
        assert!(filter("hq", Some(Status::Alarm)).admits(&d, Status::Alarm));
        assert!(!filter("hq", Some(Status::Alarm)).admits(&d, Status::Normal));
    }

    /// A click anywhere on a tile finds its device; in a gap, a heading or past the last
    /// tile, none. 10 000 tiles: every one is found at its own centre.
    #[test]
    fn the_tile_under_a_point_is_the_one_drawn_there() {
        let devices: Vec<Identity> = (0..10_000)
            .map(|i| device(&format!("d{i}"), ["a", "b", "c"][i % 3], ["f1", "f2"][i / 5000]))
            .collect();
        let sections = sections(&devices, |_| true);
        let placed = Placed::new(&sections, 900.0);
        assert_eq!(placed.columns, 56, "(900 + 2) / 16");
        let mut found = 0;
        for (s, section) in sections.iter().enumerate() {
            for (k, device) in section.devices.iter().enumerate() {
                let rect = placed.tile(s, k);
                assert!(rect.max.x <= 900.0);
                assert_eq!(placed.at(&sections, rect.center()), Some(*device));
                assert_eq!(placed.at(&sections, rect.min), Some(*device), "its corner");
                assert_eq!(placed.at(&sections, rect.max + vec2(GAP / 2.0, 0.0)), None, "the gap");
                found += 1;
            }
            assert_eq!(placed.at(&sections, placed.heading(s) + vec2(5.0, 5.0)), None, "its heading");
            let past = placed.tile(s, section.devices.len() - 1).center() + vec2(TILE + GAP, 0.0);
            if section.devices.len() % placed.columns != 0 {
                assert_eq!(placed.at(&sections, past), None, "past the last tile");
            }
        }
        assert_eq!(found, 10_000);
        assert_eq!(placed.at(&sections, pos2(5.0, placed.height + 50.0)), None, "below everything");
    }

    /// Only the rows in view are drawn: what `between` and `tiles_between` give covers
    /// every tile that meets the view and little else.
    #[test]
    fn the_tiles_in_view_are_the_ones_that_meet_it() {
        let devices: Vec<Identity> =
            (0..3000).map(|i| device(&format!("d{i}"), "a", ["f1", "f2", "f3"][i / 1000])).collect();
        let sections = sections(&devices, |_| true);
        let placed = Placed::new(&sections, 400.0);
        for (top, bottom) in [(0.0, 300.0), (1234.5, 1734.5), (placed.height - 200.0, placed.height)] {
            let mut drawn = 0;
            for s in placed.between(top, bottom) {
                for k in placed.tiles_between(&sections, s, top, bottom) {
                    let rect = placed.tile(s, k);
                    assert!(
                        rect.max.y >= top - TILE - GAP && rect.min.y <= bottom,
                        "{rect:?} in {top}..{bottom}"
                    );
                    drawn += 1;
                }
            }
            let meeting = (0..sections.len())
                .flat_map(|s| (0..sections[s].devices.len()).map(move |k| (s, k)))
                .filter(|&(s, k)| {
                    let rect = placed.tile(s, k);
                    rect.max.y > top && rect.min.y < bottom
                })
                .count();
            assert!(
                meeting > 0 && drawn >= meeting && drawn <= meeting + 2 * placed.columns,
                "{drawn} {meeting}"
            );
        }
    }

    #[test]
    fn counts_are_per_status() {
        let state = |status| TileState { status, ..TileState::default() };
        let states =
            [state(Status::Normal), state(Status::Normal), state(Status::Alarm), state(Status::Unread)];
        assert_eq!(counts(&states), [2, 0, 1, 0, 1]);
    }
}
