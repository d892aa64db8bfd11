//! `report.html`: one scenario's verdicts, timeline and plots of its trace on one page that
//! works offline (inline SVG drawn with plotters, no script, no CDN) — what a QA engineer
//! opens first when a run fails.

use crate::report::Report;
use plotters::prelude::*;
use std::path::Path;

/// Most points a series is drawn with; longer traces keep each bucket's min and max.
const MAX_POINTS: usize = 1500;

/// One chart: a title, a unit, and the trace columns it draws (column, legend, colour,
/// line width), drawn in that order: a wide pale line first stays visible under a narrow
/// one that runs on top of it (bypass and input are often the same voltage).
struct Chart {
    title: &'static str,
    unit: &'static str,
    series: &'static [(&'static str, &'static str, RGBColor, u32)],
    /// Multiplies every value (seconds → minutes).
    scale: f64,
}

const CHARTS: [Chart; 3] = [
    Chart {
        title: "Voltages",
        unit: "V",
        series: &[
            ("bypass_v_l1", "bypass L1", RGBColor(0xc8, 0xc8, 0xc8), 6),
            ("input_v_l1", "input L1", RGBColor(0x1f, 0x77, 0xb4), 2),
            ("output_v_l1", "output L1", RGBColor(0x2c, 0xa0, 0x2c), 2),
        ],
        scale: 1.0,
    },
    Chart {
        title: "Battery charge and load",
        unit: "%",
        series: &[
            ("battery_charge_pct", "battery charge", RGBColor(0xd6, 0x27, 0x28), 2),
            ("load_pct_max", "load (highest phase)", RGBColor(0xff, 0x7f, 0x0e), 2),
        ],
        scale: 1.0,
    },
    Chart {
        title: "Remaining runtime (UPS estimate)",
        unit: "min",
        series: &[("remaining_runtime_s", "remaining runtime", RGBColor(0x94, 0x67, 0xbd), 2)],
        scale: 1.0 / 60.0,
    },
];

/// A fleet scenario's trace: how many of its devices are in each state.
const FLEET_CHARTS: [Chart; 1] = [Chart {
    title: "Devices",
    unit: "devices",
    series: &[
        ("devices_on_battery", "on battery", RGBColor(0xf2, 0xb7, 0x05), 2),
        ("devices_on_bypass", "on bypass", RGBColor(0x1f, 0x77, 0xb4), 2),
        ("devices_on_genset", "on genset", RGBColor(0x2c, 0xa0, 0x2c), 2),
        ("devices_load_off", "load off", RGBColor(0xd6, 0x27, 0x28), 2),
    ],
    scale: 1.0,
}];

/// The charts a trace has columns for: a fleet's, or a UPS's.
fn charts_of(headers: &csv::StringRecord) -> &'static [Chart] {
    if headers.iter().any(|h| h == FLEET_CHARTS[0].series[0].0) { &FLEET_CHARTS } else { &CHARTS }
}

/// A trace as the page plots it: the charts it has columns for, its times, and one series
/// per chart series.
struct Plotted {
    charts: &'static [Chart],
    times: Vec<f64>,
    columns: Vec<Vec<f64>>,
}

/// The trace's charts and columns of interest.
fn read_trace(path: &Path) -> Result<Plotted, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let shown = charts_of(&headers);
    let wanted: Vec<Option<usize>> =
        shown.iter().flat_map(|chart| chart.series.iter().map(|(name, ..)| column(name))).collect();
    let time = column("time_s").ok_or("trace.csv has no time_s column")?;
    let (mut times, mut series) = (Vec::new(), vec![Vec::new(); wanted.len()]);
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let number = |i: Option<usize>| i.and_then(|i| record.get(i)).and_then(|v| v.parse::<f64>().ok());
        times.push(number(Some(time)).unwrap_or(f64::NAN));
        for (values, index) in series.iter_mut().zip(&wanted) {
            values.push(number(*index).unwrap_or(f64::NAN));
        }
    }
    Ok(Plotted { charts: shown, times, columns: series })
}

/// At most `MAX_POINTS` points: each bucket of samples keeps its lowest and highest value,
/// so short dips (a sag, a transfer) stay visible in a day-long trace.
fn thin(times: &[f64], values: &[f64]) -> Vec<(f64, f64)> {
    let bucket = times.len().div_ceil(MAX_POINTS / 2).max(1);
    let mut points = Vec::new();
    for (chunk_t, chunk_v) in times.chunks(bucket).zip(values.chunks(bucket)) {
        let pairs = chunk_t
            .iter()
            .copied()
            .zip(chunk_v.iter().copied())
            .filter(|(t, v)| t.is_finite() && v.is_finite());
        let low = pairs.clone().min_by(|a, b| a.1.total_cmp(&b.1));
        let high = pairs.max_by(|a, b| a.1.total_cmp(&b.1));
        let mut pair: Vec<(f64, f64)> = low.into_iter().chain(high).collect();
        pair.sort_by(|a, b| a.0.total_cmp(&b.0));
        pair.dedup();
        points.extend(pair);
    }
    points
}

/// One chart as SVG, with the events as vertical lines.
fn svg(chart: &Chart, series: &[Vec<(f64, f64)>], end_s: f64, events: &[f64]) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (960, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let values = series.iter().flatten().map(|(_, v)| *v);
        let low = values.clone().fold(f64::INFINITY, f64::min).min(0.0);
        let high = values.fold(f64::NEG_INFINITY, f64::max).max(1.0) * 1.08;
        let mut plot = ChartBuilder::on(&root)
            .caption(format!("{} ({})", chart.title, chart.unit), ("sans-serif", 18))
            .margin(8)
            // Room for the last tick's label, which is centred on the right edge.
            .margin_right(32)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..end_s.max(1.0), low..high)
            .map_err(|e| e.to_string())?;
        plot.configure_mesh()
            .x_desc("time (s)")
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()
            .map_err(|e| e.to_string())?;
        for at in events {
            let marker =
                LineSeries::new([(*at, low), (*at, high)], RGBColor(0xbb, 0xbb, 0xbb).stroke_width(1));
            plot.draw_series(marker).map_err(|e| e.to_string())?;
        }
        for ((_, legend, colour, width), points) in chart.series.iter().zip(series) {
            let (colour, width) = (*colour, *width);
            plot.draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(width)))
                .map_err(|e| e.to_string())?
                .label(*legend)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(width)));
        }
        plot.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(0xcc, 0xcc, 0xcc))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The charts, with the scenario's events (not mode changes) marked.
fn charts(report: &Report, shown: &[Chart], times: &[f64], columns: Vec<Vec<f64>>) -> Result<String, String> {
    let end_s = times.iter().copied().filter(|t| t.is_finite()).fold(report.sim_s, f64::max);
    let events: Vec<f64> = report
        .timeline
        .lines
        .iter()
        // A fleet's lines name their device first (`hq-srv-001: mode OnBattery`).
        .filter(|(_, line)| {
            !line.starts_with("mode ") && !line.contains(": mode ") && !line.starts_with("card started")
        })
        .map(|(t, _)| *t)
        .collect();
    let mut charts = String::new();
    let mut columns = columns.into_iter();
    for chart in shown {
        let series: Vec<Vec<(f64, f64)>> = chart
            .series
            .iter()
            .map(|_| {
                let values: Vec<f64> =
                    columns.next().unwrap_or_default().iter().map(|v| v * chart.scale).collect();
                thin(times, &values)
            })
            .collect();
        charts.push_str(&svg(chart, &series, end_s, &events)?);
    }
    Ok(charts)
}

/// The whole page; `dir` holds the scenario's `trace.csv`.
pub fn page(report: &Report, dir: &Path) -> Result<String, String> {
    let charts = match read_trace(&dir.join("trace.csv")) {
        Ok(plotted) => charts(report, plotted.charts, &plotted.times, plotted.columns)?,
        // A run that stopped before its trace (a card that would not start) still gets its page.
        Err(why) => format!("<p>No plots: {}</p>", escape(&why)),
    };
    let failed = report.outcomes.iter().filter(|o| !o.passed).count();
    let verdict = match (failed, &report.skipped, &report.error) {
        (_, Some(why), _) => format!("<p class=\"skip\">SKIPPED: {}</p>", escape(why)),
        (_, None, Some(why)) => format!("<p class=\"fail\">NOT RUN: {}</p>", escape(why)),
        (0, None, None) if !report.output_errors.is_empty() => format!(
            "<p class=\"fail\">FAIL — outputs not written: {}</p>",
            escape(&report.output_errors.join("; "))
        ),
        (0, None, None) => {
            format!("<p class=\"pass\">PASS — {} expectations held</p>", report.outcomes.len())
        }
        (n, None, None) => {
            format!("<p class=\"fail\">FAIL — {n} of {} expectations failed</p>", report.outcomes.len())
        }
    };
    let rows: String = report
        .outcomes
        .iter()
        .map(|o| {
            let (class, word) = if o.passed { ("pass", "PASS") } else { ("fail", "FAIL") };
            format!(
                "<tr><td class=\"{class}\">{word}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&o.label),
                escape(&o.detail)
            )
        })
        .collect();
    let timeline: String = report
        .timeline
        .lines
        .iter()
        .map(|(t, line)| format!("<tr><td class=\"num\">{t:.1} s</td><td>{}</td></tr>\n", escape(line)))
        .collect();
    Ok(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
.pass {{ color: #1a7f37; font-weight: bold; }} .fail {{ color: #c62828; font-weight: bold; }}
.skip {{ color: #8a6d00; font-weight: bold; }} .num {{ white-space: nowrap; text-align: right; }}
svg {{ display: block; margin-bottom: 1em; }}
</style></head><body>
<h1>{name}</h1>
<p>{path} — {sim:.1} s simulated in {wall:.2} s. Grey lines mark the scenario's events.</p>
{verdict}
<h2>Expectations</h2>
<table><tr><th></th><th>expectation</th><th>what was seen</th></tr>
{rows}</table>
<h2>Signals</h2>
{charts}
<h2>Timeline</h2>
<table>
{timeline}</table>
</body></html>
"#,
        name = escape(&report.name),
        path = escape(&report.path),
        sim = report.sim_s,
        wall = report.wall_s,
    ))
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn thinning_keeps_a_short_dip() {
        let times: Vec<f64> = (0..100_000).map(f64::from).collect();
        let mut values = vec![230.0; times.len()];
        values[54_321] = 0.0;
        let points = thin(&times, &values);
        assert!(points.len() <= super::MAX_POINTS + 2, "{}", points.len());
        assert!(points.contains(&(54_321.0, 0.0)), "the one-sample dip survives");
        assert!(points.windows(2).all(|w| w[0].0 <= w[1].0), "in time order");
    }
}
