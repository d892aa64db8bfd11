//! `--screenshot`: once the window has run for a while, captures it with Bevy's screenshot
//! API, writes beside the PNG where each synoptic element is in the picture (`.json`: its
//! colour as the truth says and the pixels that show it), and closes the window. The render
//! test reads both.

use crate::live::Live;
use crate::synoptic::{SynopticCamera, layout, world};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::window::PrimaryWindow;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// Where to save the picture, and after how long the window has settled (wall clock).
#[derive(Resource, Debug, Clone)]
pub struct Capture {
    pub path: PathBuf,
    pub after_s: f32,
}

/// Set once the capture is asked for.
#[derive(Resource, Default)]
struct Asked(bool);

/// Every frame's duration until the capture, ms: the frame-time benchmark reads their
/// median and 99th percentile from the JSON.
#[derive(Resource, Default)]
struct FrameTimes(Vec<f64>);

fn record_frame(time: Res<Time>, asked: Res<Asked>, mut frames: ResMut<FrameTimes>) {
    // The first frames include start-up (pipelines, fonts): left out.
    if !asked.0 && time.elapsed_secs() > 1.0 {
        frames.0.push(time.delta_secs_f64() * 1000.0);
    }
}

/// The `q` quantile of `values` (nearest rank).
fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

fn probes(
    live: &Live,
    caption: Option<&str>,
    camera: &Camera,
    transform: &GlobalTransform,
    scale: f32,
    frames: &[f64],
) -> Value {
    let mut elements = Map::new();
    for element in &live.truth.view.synoptic {
        let points: Vec<Value> = layout::probes(element.number)
            .into_iter()
            .filter_map(|point| camera.world_to_viewport(transform, world(point).extend(0.0)).ok())
            .map(|pixel| json!([(pixel.x * scale).round(), (pixel.y * scale).round()]))
            .collect();
        elements.insert(
            element.number.to_string(),
            json!({ "name": element.name, "colour": format!("{:?}", element.colour), "pixels": points }),
        );
    }
    let card: Vec<Value> = live
        .card_report
        .as_ref()
        .map(|report| crate::comparison::compare(report, &live.truth, live.true_runtime_min))
        .unwrap_or_default()
        .into_iter()
        .map(
            |row| json!({ "label": row.label, "card": row.card, "truth": row.truth, "differs": row.differs }),
        )
        .collect();
    json!({
        "twin_time_s": live.truth.time_s,
        "ups_status": live.truth.view.ups_status,
        "elements": elements,
        "card_beside_truth": card,
        "caption": caption,
        "frames": frames.len(),
        "frame_ms_median": quantile(frames, 0.5),
        "frame_ms_p99": quantile(frames, 0.99),
    })
}

// A Bevy system takes each resource it reads as an argument.
#[allow(clippy::too_many_arguments)]
fn capture(
    mut commands: Commands,
    capture: Res<Capture>,
    mut asked: ResMut<Asked>,
    time: Res<Time>,
    live: Res<Live>,
    camera: Single<(&Camera, &GlobalTransform), With<SynopticCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    frames: Res<FrameTimes>,
    playing: Res<crate::playing::Playing>,
    shown: Res<crate::frame::Shown>,
    fleet: Option<Res<crate::fleet::FleetView>>,
) {
    if asked.0 || time.elapsed_secs() < capture.after_s {
        return;
    }
    asked.0 = true;
    let (camera, transform) = *camera;
    let json_path = capture.path.with_extension("json");
    let mut probed = probes(
        &live,
        playing.player.as_ref().and_then(|p| p.caption()),
        camera,
        transform,
        window.scale_factor(),
        &frames.0,
    );
    probed["shown"] = json!(format!("{:?}", *shown));
    if let Some(fleet) = fleet {
        probed["fleet"] = fleet.probes(window.scale_factor());
        probed["device"] = json!(fleet.open.and_then(|i| fleet.device(i)).map(|d| d.identity.name.clone()));
    }
    let text = serde_json::to_string_pretty(&probed).unwrap_or_default();
    match std::fs::write(&json_path, text) {
        Ok(()) => {
            info!("{} written beside the screenshot (where each element is, its colour)", json_path.display())
        }
        Err(e) => error!("cannot write {}: {e}", json_path.display()),
    }
    commands.spawn(Screenshot::primary_window()).observe(save_to_disk(capture.path.clone())).observe(
        |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            exit.write(AppExit::Success);
        },
    );
}

#[derive(Debug)]
pub struct CapturePlugin(pub Capture);

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.0.clone())
            .init_resource::<Asked>()
            .init_resource::<FrameTimes>()
            .add_systems(PostUpdate, (record_frame, capture).chain());
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn the_median_and_the_99th_percentile_are_nearest_ranks() {
        let frames: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&frames, 0.5), Some(50.0));
        assert_eq!(quantile(&frames, 0.99), Some(99.0));
        assert_eq!(quantile(&[7.0], 0.99), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
