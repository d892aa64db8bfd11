//! Where each of the 21 elements of §12.1.1 is drawn, in drawing units: a 900 × 360 sheet,
//! x to the right and y down, laid out as NET VISION draws the synoptic (and as the card's
//! SVG does) — the rectifier line in the middle, the bypass line above, the maintenance
//! bypass over both, the battery under the DC bus. Pure data: the window draws it, the
//! render test reads the probe points from it.

/// A point on the sheet.
pub type Point = (f32, f32);

pub const WIDTH: f32 = 900.0;
pub const HEIGHT: f32 = 360.0;

/// One piece of an element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A power line along these points; energy flows from the first to the last.
    Wire(&'static [Point]),
    /// The DC bus bar.
    Bus(Point, Point),
    /// A converter or switch: top-left corner, width, height.
    Block(Point, f32, f32),
    /// A supply: centre and radius.
    Source(Point, f32),
    /// A marker icon with its glyph: centre.
    Icon(Point, &'static str),
}

/// The battery's four cells (top-left corners), each `CELL` wide and tall.
pub const CELLS: [Point; 4] = [(287.0, 276.0), (306.0, 276.0), (325.0, 276.0), (344.0, 276.0)];
pub const CELL: (f32, f32) = (14.0, 36.0);
/// The load gauge: top-left, width, height; 0–120 % of the width, a mark at 100 %.
pub const GAUGE: (Point, f32, f32) = ((752.0, 214.0), 96.0, 12.0);
pub const GAUGE_FULL_PCT: f32 = 120.0;
/// Where the battery's and the load's values are written.
pub const BATTERY_VALUE: Point = (320.0, 346.0);
pub const LOAD_VALUE: Point = (800.0, 195.0);

/// The shapes of element `number` (1–21).
pub fn shapes(number: u8) -> &'static [Shape] {
    use Shape::*;
    match number {
        1 => &[Source((50.0, 200.0), 22.0), Wire(&[(72.0, 200.0), (150.0, 200.0)])],
        2 => &[Block((150.0, 165.0), 80.0, 70.0)],
        3 => &[Wire(&[(230.0, 200.0), (300.0, 200.0)])],
        4 => &[Bus((300.0, 200.0), (340.0, 200.0)), Wire(&[(320.0, 200.0), (320.0, 262.0)])],
        5 => &[Wire(&[(340.0, 200.0), (410.0, 200.0)])],
        6 => &[Block((410.0, 165.0), 80.0, 70.0)],
        7 => &[Wire(&[(490.0, 200.0), (640.0, 200.0)])],
        8 => &[Wire(&[(640.0, 200.0), (740.0, 200.0)])],
        9 => &[Block((740.0, 160.0), 120.0, 80.0)],
        10 => &[Block((275.0, 262.0), 90.0, 64.0)],
        11 => &[Source((50.0, 90.0), 22.0)],
        12 => &[Wire(&[(72.0, 90.0), (410.0, 90.0)])],
        13 => &[Block((410.0, 60.0), 80.0, 60.0)],
        14 => &[Wire(&[(490.0, 90.0), (640.0, 90.0), (640.0, 200.0)])],
        15 => &[Wire(&[(50.0, 68.0), (50.0, 30.0), (700.0, 30.0), (700.0, 200.0)])],
        16 => &[Icon((450.0, 140.0), "⊘")],
        17 => &[Icon((780.0, 52.0), "M")],
        18 => &[Icon((820.0, 52.0), "!")],
        19 => &[Icon((50.0, 290.0), "G")],
        20 => &[Icon((320.0, 250.0), "⇄")],
        21 => &[Icon((860.0, 52.0), "IoT")],
        _ => &[],
    }
}

/// Points that show an element's colour in a screenshot: on its first wire's longest
/// stretch, the middle and two points 10 and 20 units before it (a moving flow mark, 8
/// long, covers at most one of them); else on a block's lower edge, a quarter in (clear of
/// the wires that end at its sides and the symbols inside).
pub fn probes(number: u8) -> Vec<Point> {
    let shapes = shapes(number);
    let length = |(a, b): &(Point, Point)| (b.0 - a.0).powi(2) + (b.1 - a.1).powi(2);
    let wire = shapes.iter().find_map(|shape| match shape {
        Shape::Wire(points) => {
            points.windows(2).map(|w| (w[0], w[1])).max_by(|x, y| length(x).total_cmp(&length(y)))
        }
        Shape::Bus(a, b) => Some((*a, *b)),
        _ => None,
    });
    if let Some((a, b)) = wire {
        let middle = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let length = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1.0);
        let unit = ((b.0 - a.0) / length, (b.1 - a.1) / length);
        return [20.0, 10.0, 0.0].map(|back| (middle.0 - unit.0 * back, middle.1 - unit.1 * back)).to_vec();
    }
    match shapes.first() {
        Some(Shape::Block((x, y), width, height)) => vec![(x + width / 4.0, y + height)],
        _ => Vec::new(),
    }
}

/// Which element is under a point of the sheet, if any (the topmost: icons, then blocks).
pub fn element_at(point: Point) -> Option<u8> {
    let near_segment = |a: Point, b: Point| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let t =
            (((point.0 - a.0) * dx + (point.1 - a.1) * dy) / (dx * dx + dy * dy).max(1e-6)).clamp(0.0, 1.0);
        let (x, y) = (a.0 + t * dx, a.1 + t * dy);
        (point.0 - x).powi(2) + (point.1 - y).powi(2) <= 8.0 * 8.0
    };
    let hit = |shape: &Shape| match *shape {
        Shape::Wire(points) => points.windows(2).any(|w| near_segment(w[0], w[1])),
        Shape::Bus(a, b) => near_segment(a, b),
        Shape::Block((x, y), w, h) => (x..=x + w).contains(&point.0) && (y..=y + h).contains(&point.1),
        Shape::Source((x, y), r) => (point.0 - x).powi(2) + (point.1 - y).powi(2) <= r * r,
        Shape::Icon((x, y), _) => (point.0 - x).abs() <= 12.0 && (point.1 - y).abs() <= 12.0,
    };
    (1..=21u8).rev().find(|&number| shapes(number).iter().any(hit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use card::derive::synoptic::table_of;

    #[test]
    fn every_element_has_shapes_on_the_sheet() {
        for number in 1..=21u8 {
            assert!(!shapes(number).is_empty(), "element {number}");
            assert_eq!(probes(number).is_empty(), number >= 16 || number == 11, "element {number}");
            for probe in probes(number) {
                assert!(
                    (0.0..=WIDTH).contains(&probe.0) && (0.0..=HEIGHT).contains(&probe.1),
                    "{number}: {probe:?}"
                );
            }
        }
    }

    #[test]
    fn the_probes_of_an_element_hit_that_element() {
        for number in [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15] {
            for probe in probes(number) {
                assert_eq!(element_at(probe), Some(number), "probe {probe:?} of element {number}");
            }
        }
    }

    #[test]
    fn a_click_beside_the_drawing_hits_nothing_and_a_click_on_the_battery_opens_its_table() {
        assert_eq!(element_at((600.0, 320.0)), None);
        let battery = element_at((320.0, 300.0));
        assert_eq!((battery, battery.and_then(table_of)), (Some(10), Some("battery")));
    }
}
