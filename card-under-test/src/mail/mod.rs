//! E-mail (§18.9): event mails to the recipients whose type and filter want them (after the
//! "delay before sending", if the event is still present), the daily status report with
//! the history log attached, and the test mail. Failures go to the card events log with
//! the manual's error codes (001, 002, 101, 111).

mod compose;
mod deliver;
mod service;
mod summary;

pub use compose::{daily_report, event_mail, test_mail};
pub use deliver::{MailError, deliver};
pub use service::{send, test};
pub use summary::Summary;
