//! The synoptic drawn in Bevy (§12.1): the 21 elements of `layout.rs` in NET VISION's
//! colours (the truth's view, `truth.rs`), the energy flowing along the live path, the
//! battery's cells (charging, discharging, charged, discharged, open), the load gauge
//! 0–120 %; a parallel system's system view (§12.2) until a unit is chosen in the tree.
//! Hovering an element names it and shows its values per phase; a click keeps its table on
//! the right.

pub mod flow;
pub mod layout;

use crate::frame::{Central, PanelsSet};
use crate::live::Live;
use crate::palette::{self, Rgb};
use bevy::camera::{ScalingMode, Viewport};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use card::derive::synoptic::{Colour, SYSTEM_ELEMENTS, table_of};
use card::derive::topology::Kind;
use layout::{Point, Shape};

/// What the person chose: the element whose table is shown, the unit or module chosen in
/// the tree, the element under the pointer.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Selection {
    pub table: &'static str,
    pub device: Option<u8>,
    pub hovered: Option<u8>,
}

impl Default for Selection {
    fn default() -> Self {
        Self { table: "ups", device: None, hovered: None }
    }
}

/// Wires and the DC bus: thick, as on the card's page.
#[derive(Default, Reflect, GizmoConfigGroup)]
struct Wires;

/// Block, supply and icon outlines, symbols inside the blocks.
#[derive(Default, Reflect, GizmoConfigGroup)]
struct Outlines;

#[derive(Component, Debug)]
pub struct SynopticCamera;

#[derive(Component)]
struct Cell(usize);

#[derive(Component)]
struct GaugeFill;

#[derive(Component)]
enum Label {
    Battery,
    Load,
    /// An element's glyph or caption, shown with the element.
    Of(u8),
    /// The system symbol's words (system view only).
    System,
}

/// The sheet's point in the world: the sheet's centre at the origin, y up.
pub fn world(point: Point) -> Vec2 {
    Vec2::new(point.0 - layout::WIDTH / 2.0, layout::HEIGHT / 2.0 - point.1)
}

fn sheet(world: Vec2) -> Point {
    (world.x + layout::WIDTH / 2.0, layout::HEIGHT / 2.0 - world.y)
}

/// The system view of a parallel system shows only its elements and the system symbol.
fn system_view(live: &Live, selection: &Selection) -> bool {
    live.truth.view.topology.kind == Kind::Parallel && selection.device.is_none()
}

fn drawn(live: &Live, selection: &Selection, number: u8) -> Option<Rgb> {
    if system_view(live, selection) && !SYSTEM_ELEMENTS.contains(&number) {
        return None;
    }
    let element = live.truth.view.synoptic.iter().find(|e| e.number == number)?;
    palette::of(element.colour)
}

/// Elements whose wires carry energy when lit, and whether it flows backwards (the battery
/// branch while discharging).
fn flows(number: u8, live: &Live) -> Option<bool> {
    match number {
        4 => Some(live.truth.view.discharging),
        1 | 3 | 5 | 7 | 8 | 12 | 14 | 15 => Some(false),
        _ => None,
    }
}

fn setup(
    mut commands: Commands,
    mut gizmos: ResMut<GizmoConfigStore>,
    fonts: Res<crate::Fonts>,
    mut egui_settings: ResMut<bevy_egui::EguiGlobalSettings>,
) {
    // The panels get a camera of their own over the whole window, drawn after the
    // synoptic's; the synoptic's camera keeps to the middle.
    egui_settings.auto_create_primary_context = false;
    commands.spawn((
        bevy_egui::PrimaryEguiContext,
        Camera2d,
        // Software rendering (CI's lavapipe) is twice as fast without multisampling, and
        // both cameras draw into one window: same setting.
        Msaa::Off,
        bevy::camera::visibility::RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: bevy::camera::CameraOutputMode::Write {
                blend_state: Some(bevy::render::render_resource::BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
    gizmos.config_mut::<Wires>().0.line.width = 6.0;
    gizmos.config_mut::<Outlines>().0.line.width = 3.0;
    commands.spawn((
        Camera2d,
        SynopticCamera,
        Msaa::Off,
        Projection::Orthographic(OrthographicProjection {
            scaling_mode: ScalingMode::AutoMin {
                min_width: layout::WIDTH + 40.0,
                min_height: layout::HEIGHT + 40.0,
            },
            ..OrthographicProjection::default_2d()
        }),
    ));
    let sprite =
        |rgb: Rgb, size: Vec2| Sprite { color: palette::bevy(rgb), custom_size: Some(size), ..default() };
    commands.spawn((
        sprite(palette::CANVAS, Vec2::new(layout::WIDTH + 20.0, layout::HEIGHT + 20.0)),
        Transform::from_xyz(0.0, 0.0, -1.0),
    ));
    for (index, (x, y)) in layout::CELLS.into_iter().enumerate() {
        let centre = world((x + layout::CELL.0 / 2.0, y + layout::CELL.1 / 2.0));
        commands.spawn((
            Cell(index),
            sprite(palette::TRACK, Vec2::new(layout::CELL.0, layout::CELL.1)),
            Transform::from_translation(centre.extend(0.0)),
        ));
    }
    let ((x, y), width, height) = layout::GAUGE;
    let centre = world((x + width / 2.0, y + height / 2.0));
    commands.spawn((
        sprite(palette::TRACK, Vec2::new(width, height)),
        Transform::from_translation(centre.extend(0.0)),
    ));
    commands.spawn((
        GaugeFill,
        sprite(palette::GREEN, Vec2::new(0.0, height)),
        Transform::from_translation(world((x, y + height / 2.0)).extend(0.1)),
    ));
    let text = |size: f32| TextFont {
        font: bevy::text::FontSource::Handle(fonts.regular.clone()),
        font_size: bevy::text::FontSize::Px(size),
        ..default()
    };
    let bold = |size: f32| TextFont {
        font: bevy::text::FontSource::Handle(fonts.bold.clone()),
        font_size: bevy::text::FontSize::Px(size),
        ..default()
    };
    let ink = TextColor(palette::bevy(palette::INK));
    let at = |point: Point| Transform::from_translation(world(point).extend(1.0));
    commands.spawn((Label::Battery, Text2d::default(), bold(17.0), ink, at(layout::BATTERY_VALUE)));
    commands.spawn((Label::Load, Text2d::default(), bold(18.0), ink, at(layout::LOAD_VALUE)));
    let captions: [(u8, &str, Point); 7] = [
        (9, "Load", (800.0, 175.0)),
        (15, "Maintenance bypass", (375.0, 20.0)),
        (2, "AC", (170.0, 182.0)),
        (2, "DC", (212.0, 222.0)),
        (6, "DC", (430.0, 182.0)),
        (6, "AC", (472.0, 222.0)),
        (13, "Static switch", (450.0, 50.0)),
    ];
    for (number, words, point) in captions {
        commands.spawn((Label::Of(number), Text2d::new(words), text(12.0), ink, at(point)));
    }
    for number in 16..=21u8 {
        if let Some(Shape::Icon(point, glyph)) = layout::shapes(number).first() {
            commands.spawn((Label::Of(number), Text2d::new(*glyph), bold(14.0), ink, at(*point)));
        }
    }
    commands.spawn((Label::System, Text2d::default(), bold(22.0), ink, at((320.0, 150.0))));
}

/// Puts the camera's viewport on the window's middle, between the panels.
fn fit_viewport(
    central: Res<Central>,
    shown: Res<crate::frame::Shown>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut camera: Single<&mut Camera, With<SynopticCamera>>,
) {
    // A fleet's tiles cover the middle: the synoptic is not drawn under them.
    let drawn = *shown != crate::frame::Shown::Fleet;
    if camera.is_active != drawn {
        camera.is_active = drawn;
    }
    let Some(rect) = central.0 else { return };
    let scale = window.scale_factor();
    let size = window.physical_size();
    let min =
        UVec2::new((rect.min.x * scale).max(0.0) as u32, (rect.min.y * scale).max(0.0) as u32).min(size);
    let max = UVec2::new((rect.max.x * scale) as u32, (rect.max.y * scale) as u32).min(size);
    if max.x <= min.x + 1 || max.y <= min.y + 1 {
        return;
    }
    let viewport = Viewport { physical_position: min, physical_size: max - min, ..default() };
    if camera.viewport.as_ref().is_none_or(|v| v.physical_position != min || v.physical_size != max - min) {
        camera.viewport = Some(viewport);
    }
}

fn draw_shape(wires: &mut Gizmos<Wires>, outlines: &mut Gizmos<Outlines>, shape: &Shape, colour: Color) {
    match *shape {
        Shape::Wire(points) => wires.linestrip_2d(points.iter().map(|p| world(*p)), colour),
        Shape::Bus(a, b) => {
            wires.line_2d(world(a), world(b), colour);
            wires.line_2d(world(a) + Vec2::Y * 3.0, world(b) + Vec2::Y * 3.0, colour);
        }
        Shape::Block((x, y), width, height) => {
            outlines.rect_2d(world((x + width / 2.0, y + height / 2.0)), Vec2::new(width, height), colour);
        }
        Shape::Source(centre, radius) => {
            outlines.circle_2d(world(centre), radius, colour);
            let wave: Vec<Vec2> = (0..=12)
                .map(|i| {
                    let t = i as f32 / 12.0;
                    world((centre.0 - 12.0 + 24.0 * t, centre.1 - 6.0 * (t * std::f32::consts::TAU).sin()))
                })
                .collect();
            outlines.linestrip_2d(wave, colour);
        }
        Shape::Icon(centre, _) => {
            outlines.circle_2d(world(centre), 12.0, colour);
        }
    }
}

fn draw(
    mut wires: Gizmos<Wires>,
    mut outlines: Gizmos<Outlines>,
    live: Res<Live>,
    selection: Res<Selection>,
    time: Res<Time>,
) {
    let travelled = time.elapsed_secs() * flow::SPEED;
    let mark = Color::srgba(1.0, 1.0, 1.0, 0.9);
    for number in 1..=21u8 {
        let Some(rgb) = drawn(&live, &selection, number) else { continue };
        let colour = palette::bevy(rgb);
        for shape in layout::shapes(number) {
            draw_shape(&mut wires, &mut outlines, shape, colour);
        }
        // Symbols inside the converters: the diagonal of AC/DC and DC/AC, the switch.
        match number {
            2 | 6 => {
                let Shape::Block((x, y), w, h) = layout::shapes(number)[0] else { continue };
                outlines.line_2d(world((x, y + h)), world((x + w, y)), colour);
            }
            13 => outlines.linestrip_2d([(420.0, 100.0), (440.0, 100.0), (465.0, 80.0)].map(world), colour),
            _ => {}
        }
        let lit = matches!(rgb, palette::GREEN | palette::YELLOW);
        if let (true, Some(backwards)) = (lit, flows(number, &live)) {
            for shape in layout::shapes(number) {
                if let Shape::Wire(points) = shape {
                    let mut points = points.to_vec();
                    if backwards {
                        points.reverse();
                    }
                    for (a, b) in flow::marks(&points, travelled) {
                        wires.line_2d(world(a), world(b), mark);
                    }
                }
            }
        }
    }
    if system_view(&live, &selection) {
        let rgb = palette::of_status(live.truth.view.topology.status);
        outlines.rect_2d(world((320.0, 150.0)), Vec2::new(340.0, 180.0), palette::bevy(rgb));
    }
}

/// §12.1.2: which battery picture, from the truth's battery status.
fn battery_picture(status: &str) -> &'static str {
    match status {
        "Battery disconnected" => "open",
        "Battery discharged" => "discharged",
        "Battery discharging" | "Battery low" => "discharging",
        "Battery charging" => "charging",
        _ => "charged",
    }
}

#[allow(clippy::type_complexity)]
fn update_sprites(
    live: Res<Live>,
    selection: Res<Selection>,
    time: Res<Time>,
    mut cells: Query<(&Cell, &mut Sprite, &mut Visibility), Without<GaugeFill>>,
    mut gauge: Single<(&mut Sprite, &mut Transform), With<GaugeFill>>,
) {
    let view = &live.truth.view;
    let battery_shown = drawn(&live, &selection, 10).is_some();
    let charge = crate::comparison::ups_value(view, "Battery capacity").unwrap_or(0.0);
    let picture = battery_picture(view.battery_status);
    // Charging fills the cells one by one, discharging empties them: a step a half-second.
    let step = (time.elapsed_secs() * 2.0) as usize % 5;
    let lit_cells = match picture {
        "charging" => step.min(4),
        "discharging" => 4 - step.min(4),
        "open" | "discharged" => 0,
        _ => ((charge / 25.0).ceil() as usize).min(4),
    };
    let fill = match (picture, drawn(&live, &selection, 10)) {
        ("discharged", _) => palette::RED,
        (_, Some(palette::YELLOW)) | ("discharging", _) => palette::YELLOW,
        _ => palette::GREEN,
    };
    for (cell, mut sprite, mut visibility) in &mut cells {
        *visibility = if battery_shown { Visibility::Visible } else { Visibility::Hidden };
        let on = cell.0 < lit_cells || (picture == "discharged");
        sprite.color = palette::bevy(if on { fill } else { palette::TRACK });
    }
    let ((x, y), width, height) = layout::GAUGE;
    let load = view.synoptic_load_pct.unwrap_or(0.0).clamp(0.0, f64::from(layout::GAUGE_FULL_PCT)) as f32;
    let filled = width * load / layout::GAUGE_FULL_PCT;
    let (sprite, transform) = &mut *gauge;
    sprite.custom_size = Some(Vec2::new(filled, height));
    sprite.color = palette::bevy(drawn(&live, &selection, 9).unwrap_or(palette::GREY));
    transform.translation = world((x + filled / 2.0, y + height / 2.0)).extend(0.1);
}

fn update_labels(
    live: Res<Live>,
    selection: Res<Selection>,
    mut labels: Query<(&Label, &mut Text2d, &mut Visibility, &mut TextColor)>,
) {
    let view = &live.truth.view;
    let system = system_view(&live, &selection);
    for (label, mut text, mut visibility, mut colour) in &mut labels {
        let (shown, words) = match label {
            Label::Battery => {
                let remaining = crate::comparison::ups_value(view, "Remaining backup time");
                let capacity = crate::comparison::ups_value(view, "Battery capacity");
                // §12.1: the remaining time while discharging, else the capacity.
                let words = match (view.discharging, remaining, capacity) {
                    (true, Some(minutes), _) => format!("{minutes:.0} mn"),
                    (_, _, Some(pct)) => format!("{pct:.0} %"),
                    _ => "—".into(),
                };
                (drawn(&live, &selection, 10).is_some(), Some(words))
            }
            Label::Load => {
                (true, Some(view.synoptic_load_pct.map_or_else(|| "—".into(), |pct| format!("{pct:.0} %"))))
            }
            Label::Of(number) => {
                let rgb = drawn(&live, &selection, *number);
                if let (Some(rgb), 16..=21) = (rgb, *number) {
                    colour.0 = palette::bevy(rgb);
                }
                (rgb.is_some(), None)
            }
            Label::System => {
                let count = view.topology.devices.len();
                (system, Some(format!("SYSTEM\n{count} units")))
            }
        };
        *visibility = if shown { Visibility::Visible } else { Visibility::Hidden };
        if let Some(words) = words
            && text.0 != words
        {
            text.0 = words;
        }
    }
}

/// The element under the pointer; a click keeps its table.
fn pointer(
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform), With<SynopticCamera>>,
    buttons: Res<ButtonInput<MouseButton>>,
    mut selection: ResMut<Selection>,
    mut contexts: EguiContexts,
    shown: Res<crate::frame::Shown>,
) {
    let (camera, transform) = *camera;
    // Under a fleet's tiles the synoptic is not there to point at.
    let over_panel = *shown == crate::frame::Shown::Fleet
        || contexts.ctx_mut().is_ok_and(|ctx| ctx.is_pointer_over_egui());
    let hovered = window
        .cursor_position()
        .filter(|_| !over_panel)
        .and_then(|cursor| camera.viewport_to_world_2d(transform, cursor).ok())
        .and_then(|point| layout::element_at(sheet(point)));
    if selection.hovered != hovered {
        selection.hovered = hovered;
    }
    if buttons.just_pressed(MouseButton::Left)
        && let Some(table) = hovered.and_then(table_of)
    {
        selection.table = table;
    }
}

/// Names the element under the pointer and gives its values per phase.
fn hover_card(
    mut contexts: EguiContexts,
    live: Res<Live>,
    selection: Res<Selection>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let (Some(number), Some(cursor)) = (selection.hovered, window.cursor_position()) else { return Ok(()) };
    let Some(element) = live.truth.view.synoptic.iter().find(|e| e.number == number) else { return Ok(()) };
    if element.colour == Colour::Hidden {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    egui::Area::new("hovered".into()).fixed_pos(egui::pos2(cursor.x + 16.0, cursor.y + 16.0)).show(
        ctx,
        |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.strong(element.name);
                let table =
                    table_of(number).and_then(|name| live.truth.view.tables.iter().find(|t| t.name == name));
                if let Some(table) = table {
                    for row in &table.rows {
                        let values: Vec<String> = row
                            .values
                            .iter()
                            .map(|v| v.map_or_else(|| "—".into(), |v| format!("{v:.1}")))
                            .collect();
                        ui.label(format!("{}: {} {}", row.label, values.join(" / "), row.unit));
                    }
                    ui.weak("Click to keep this table on the right.");
                }
            });
        },
    );
    Ok(())
}

#[derive(Debug)]
pub struct SynopticPlugin;

impl Plugin for SynopticPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Selection>()
            .init_gizmo_group::<Wires>()
            .init_gizmo_group::<Outlines>()
            .add_systems(Startup, setup)
            .add_systems(Update, (fit_viewport, pointer, draw, update_sprites, update_labels))
            .add_systems(EguiPrimaryContextPass, hover_card.after(PanelsSet));
    }
}
