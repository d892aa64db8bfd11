//! Outage-replay scenarios: format, headless runner and observers of the card under test.
//! Empty until the scenarios issue lands; the crate exists so the workspace has its shape.
