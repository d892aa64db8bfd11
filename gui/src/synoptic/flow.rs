//! The energy flow along the live path: short marks that travel along a wire, from its
//! first point to its last, `SPACING` apart. Pure: given how far the flow has moved, where
//! the marks are.

use super::layout::Point;

/// Drawing units between two marks, and a mark's length.
pub const SPACING: f32 = 40.0;
pub const MARK: f32 = 8.0;
/// How fast the marks travel, drawing units per second of the window's clock.
pub const SPEED: f32 = 45.0;

/// The marks on `points` when the flow has moved `travelled` units: each mark as its two
/// ends, cut at the wire's end.
pub fn marks(points: &[Point], travelled: f32) -> Vec<(Point, Point)> {
    let lengths: Vec<f32> =
        points.windows(2).map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt()).collect();
    let total: f32 = lengths.iter().sum();
    let at = |distance: f32| -> Point {
        let mut left = distance;
        for (segment, length) in points.windows(2).zip(&lengths) {
            if left <= *length {
                let t = if *length > 0.0 { left / length } else { 0.0 };
                return (
                    segment[0].0 + t * (segment[1].0 - segment[0].0),
                    segment[0].1 + t * (segment[1].1 - segment[0].1),
                );
            }
            left -= length;
        }
        *points.last().unwrap_or(&(0.0, 0.0))
    };
    let mut marks = Vec::new();
    let mut start = travelled.rem_euclid(SPACING);
    while start < total {
        marks.push((at(start), at((start + MARK).min(total))));
        start += SPACING;
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_spaced_along_the_wire_and_move_forward() {
        let wire = [(0.0, 0.0), (100.0, 0.0)];
        let first = marks(&wire, 0.0);
        assert_eq!(first.iter().map(|m| m.0.0).collect::<Vec<_>>(), [0.0, 40.0, 80.0]);
        let later = marks(&wire, 10.0);
        assert_eq!(later[0], ((10.0, 0.0), (18.0, 0.0)));
        assert_eq!(marks(&wire, 50.0), later, "one spacing further looks the same");
    }

    #[test]
    fn marks_turn_corners_and_stop_at_the_end() {
        let wire = [(0.0, 0.0), (30.0, 0.0), (30.0, 30.0)];
        let all = marks(&wire, 25.0);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0], ((25.0, 0.0), (30.0, 3.0)), "the mark bends round the corner: {all:?}");
        let end = marks(&[(0.0, 0.0), (44.0, 0.0)], 39.0);
        assert_eq!(end[0], ((39.0, 0.0), (44.0, 0.0)), "cut at the wire's end");
    }
}
