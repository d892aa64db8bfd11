//! A run's files beside its trace: `timeline.txt` and `report.html`. Apart from the report
//! itself so the report does not depend on the page that draws it.

use crate::report::Report;
use std::path::Path;

impl Report {
    /// Writes `timeline.txt` and `report.html` (verdicts, timeline, plots of `trace.csv`)
    /// into `dir`; a failure joins [`Report::output_errors`].
    pub fn write_reports(&mut self, dir: &Path) {
        let path = dir.join("timeline.txt");
        if let Err(e) = std::fs::write(&path, self.text()) {
            self.output_errors.push(format!("{}: {e}", path.display()));
        }
        let path = dir.join("report.html");
        if let Err(e) = crate::html::page(self, dir)
            .and_then(|page| std::fs::write(&path, page).map_err(|e| e.to_string()))
        {
            self.output_errors.push(format!("{}: {e}", path.display()));
        }
    }
}
