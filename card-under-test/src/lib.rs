//! The reference network management card: polls a UPS over Modbus — the twin, or a real UPS
//! on a real serial port — and keeps what NET VISION keeps. It never imports the twin; it
//! shares only the register map definitions of `ups-models`.

pub mod alarms;
pub mod battery_test;
pub mod catalogue;
pub mod clock;
pub mod command;
pub mod config;
pub mod controls;
pub mod core;
pub mod database;
pub mod derive;
pub mod durable;
pub mod expr;
pub mod link;
pub mod logs;
pub mod mail;
pub mod northbound;
pub mod notify;
pub mod outlet;
pub mod plan;
pub mod poller;
pub mod role;
pub mod rules;
pub mod run;
mod scheduled;
pub mod schedules;
pub mod services;
pub mod severity;
pub mod shutdown;
pub mod snmp;
pub mod stack;
pub mod syslog;
mod tls;
pub mod wake_on_lan;
pub mod web;
