//! The UPS twin: a pure, deterministic physics and firmware core stepped with an explicit
//! `dt` and a seeded RNG. No threads, sockets or wall clock live here.

pub mod battery;
