//! The twin as the links and the control plane share it: the UPS, the register image that
//! answers for it, the wire between, the frame trace and the session recording.

pub mod control;
pub mod record;

use crate::image::RegisterImage;
use crate::modbus::service::Service;
use crate::ups::Ups;
use crate::wire::faults::WireFaults;
use crate::wire::trace::Trace;
use record::Recording;
use std::sync::{Arc, Mutex, MutexGuard};
use ups_models::LoadedModel;

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
        Self::with_image(ups, Arc::new(Self::image_of(loaded)), slave_id, seed, trace)
    }

    /// The register image a model's twins answer from (its map, its family's variant).
    pub fn image_of(loaded: &LoadedModel) -> RegisterImage {
        let map = ups_models::maps::bundled(&loaded.model.register_map)
            .expect("a validated model names a bundled map");
        RegisterImage::new(map, loaded.model.identity.map_family.clone())
    }

    /// As `new`, answering from an image shared with the model's other twins.
    pub fn with_image(ups: Ups, image: Arc<RegisterImage>, slave_id: u8, seed: u64, trace: Trace) -> Self {
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
