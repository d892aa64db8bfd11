//! Outage-replay scenarios: the file format, its loader, the headless runner and its reports.
//! What QA and CI use every day: a scenario says what happens to the UPS and what must be
//! seen; the runner replays it and says pass or fail.

pub mod card_api;
pub mod compile;
pub mod expr;
pub mod fleet;
pub mod format;
pub mod from_logs;
pub mod html;
pub mod recorded;
pub mod replay;
pub mod report;
mod report_files;
pub mod trace;
pub mod verdict;
pub mod virtual_run;
