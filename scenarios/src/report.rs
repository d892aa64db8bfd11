//! What a run reports: per scenario a verdict, the outcome of every expectation and a
//! timeline (written as `timeline.txt`); for a suite, JUnit XML for CI.

use crate::verdict::Outcome;
use std::fmt::Write as _;
use std::path::Path;

/// The events and mode changes of a run, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub lines: Vec<(f64, String)>,
}

impl Timeline {
    pub fn add(&mut self, time_s: f64, line: String) {
        self.lines.push((time_s, line));
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub name: String,
    pub path: String,
    /// Why the scenario was not run, if it was not.
    pub skipped: Option<String>,
    /// Why it could not be run at all (a bad file, no free port): an error, not a failure
    /// of the card under test.
    pub error: Option<String>,
    pub outcomes: Vec<Outcome>,
    pub timeline: Timeline,
    pub sim_s: f64,
    pub wall_s: f64,
    /// Outputs (trace, timeline) that could not be written: the run is not trustworthy.
    pub output_errors: Vec<String>,
}

impl Report {
    /// The report of a run of the scenario `name` (file `path`).
    pub fn new(
        name: &str,
        path: &Path,
        outcomes: Vec<Outcome>,
        timeline: Timeline,
        sim_s: f64,
        wall_s: f64,
    ) -> Self {
        Self {
            name: name.to_string(),
            path: path.display().to_string(),
            skipped: None,
            error: None,
            outcomes,
            timeline,
            sim_s,
            wall_s,
            output_errors: Vec::new(),
        }
    }

    pub fn skipped(name: &str, path: &Path, why: String) -> Self {
        Self {
            name: name.to_string(),
            path: path.display().to_string(),
            skipped: Some(why),
            error: None,
            outcomes: Vec::new(),
            timeline: Timeline::default(),
            sim_s: 0.0,
            wall_s: 0.0,
            output_errors: Vec::new(),
        }
    }

    /// A scenario that could not be run: a file that does not load (`why` is its
    /// `file:line:col` message), or a reason of this machine. Counts as failed.
    pub fn not_run(name: &str, path: &Path, why: String) -> Self {
        Self { skipped: None, error: Some(why), ..Self::skipped(name, path, String::new()) }
    }

    pub fn passed(&self) -> bool {
        self.skipped.is_none()
            && self.error.is_none()
            && self.output_errors.is_empty()
            && self.outcomes.iter().all(|o| o.passed)
    }

    /// Errors of the run itself rather than of the card: not run, or outputs not written.
    pub fn errors(&self) -> usize {
        usize::from(self.error.is_some()) + usize::from(!self.output_errors.is_empty())
    }

    pub fn failures(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.passed).count()
    }

    /// The timeline and the outcomes, as `timeline.txt` holds them.
    pub fn text(&self) -> String {
        let mut text = format!("scenario {} ({})\n", self.name, self.path);
        if let Some(why) = &self.error {
            let _ = writeln!(text, "\nnot run: {why}");
        }
        text.push_str("\ntimeline:\n");
        for (time_s, line) in &self.timeline.lines {
            let _ = writeln!(text, "  {time_s:>10.1} s  {line}");
        }
        text.push_str("\nexpectations:\n");
        for outcome in &self.outcomes {
            let _ = writeln!(
                text,
                "  {} {}: {}",
                if outcome.passed { "PASS" } else { "FAIL" },
                outcome.label,
                outcome.detail
            );
        }
        text
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// JUnit XML: one test suite, a test case per expectation (a skipped scenario is one
/// skipped case, one that could not be run one errored case, outputs not written one more
/// errored case).
pub fn junit(reports: &[Report]) -> String {
    // A report without outcomes is one case (skipped or errored); outputs not written are
    // one more, errored.
    let cases: usize =
        reports.iter().map(|r| r.outcomes.len().max(1) + usize::from(!r.output_errors.is_empty())).sum();
    let failures: usize = reports.iter().map(Report::failures).sum();
    let errors: usize = reports.iter().map(Report::errors).sum();
    let skipped = reports.iter().filter(|r| r.skipped.is_some()).count();
    let counts =
        format!("tests=\"{cases}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\"");
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites {counts}>\n<testsuite name=\"upstwin scenarios\" {counts}>\n"
    );
    for report in reports {
        let class = escape(&report.name);
        if let Some(why) = &report.skipped {
            let _ = writeln!(
                xml,
                "  <testcase classname=\"{class}\" name=\"(scenario)\"><skipped message=\"{}\"/></testcase>",
                escape(why)
            );
            continue;
        }
        if let Some(why) = &report.error {
            let _ = writeln!(
                xml,
                "  <testcase classname=\"{class}\" name=\"(scenario)\" file=\"{}\"><error message=\"{}\">{}</error></testcase>",
                escape(&report.path),
                escape(why),
                escape(why)
            );
            continue;
        }
        if !report.output_errors.is_empty() {
            let why = report.output_errors.join("\n");
            let _ = writeln!(
                xml,
                "  <testcase classname=\"{class}\" name=\"(outputs written)\"><error message=\"{}\">{}</error></testcase>",
                escape(&format!("output not written: {}", report.output_errors[0])),
                escape(&why)
            );
        }
        let time = report.wall_s / report.outcomes.len().max(1) as f64;
        for outcome in &report.outcomes {
            let name = escape(&outcome.label);
            if outcome.passed {
                let _ =
                    writeln!(xml, "  <testcase classname=\"{class}\" name=\"{name}\" time=\"{time:.3}\"/>");
            } else {
                let _ = writeln!(
                    xml,
                    "  <testcase classname=\"{class}\" name=\"{name}\" time=\"{time:.3}\"><failure message=\"{}\">{}</failure></testcase>",
                    escape(&outcome.detail),
                    escape(&report.text())
                );
            }
        }
    }
    xml.push_str("</testsuite>\n</testsuites>\n");
    xml
}
