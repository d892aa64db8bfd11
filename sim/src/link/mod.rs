//! The edges that put the twin on the wire: a shared twin stepped against the wall clock,
//! Modbus RTU on a pty or a real serial port, Modbus TCP, wire faults and the frame trace.
//! Everything here does I/O; the twin and the Modbus service stay pure.

pub mod clock;
pub mod pcap;
pub mod pty;
pub mod record;
pub mod rtu;
pub mod tcp;
pub mod trace;
pub mod wire_faults;

use crate::image::RegisterImage;
use crate::modbus::service::Service;
use crate::ups::Ups;
use record::Recording;
use std::sync::{Arc, Mutex, MutexGuard};
use trace::Trace;
use ups_models::LoadedModel;
use wire_faults::WireFaults;

/// Everything the links and the control API share.
#[derive(Debug)]
pub struct Twin {
    pub ups: Ups,
    pub service: Service,
    pub wire: WireFaults,
    pub trace: Trace,
    /// What the session does, when it is being recorded (`serve --record`).
    pub recording: Option<Recording>,
    /// The wall clock leaves the twin alone: a scenario player steps it in its own time.
    pub held: bool,
}

impl Twin {
    /// The twin with the model's register map answering as `slave_id`, no wire fault and
    /// no recording.
    pub fn new(ups: Ups, loaded: &LoadedModel, slave_id: u8, seed: u64, trace: Trace) -> Self {
        let map = ups_models::maps::bundled(&loaded.model.register_map)
            .expect("a validated model names a bundled map");
        let image = RegisterImage::new(map, loaded.model.identity.map_family.clone());
        Self {
            ups,
            service: Service::new(image, slave_id),
            wire: WireFaults::new(seed),
            trace,
            recording: None,
            held: false,
        }
    }
}

/// The twin behind a lock: links hold it only to answer one request.
#[derive(Debug, Clone)]
pub struct SharedTwin(Arc<Mutex<Twin>>);

impl SharedTwin {
    pub fn new(twin: Twin) -> Self {
        Self(Arc::new(Mutex::new(twin)))
    }

    /// Locks the twin; a panic elsewhere while it was held leaves the data usable.
    pub fn lock(&self) -> MutexGuard<'_, Twin> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
