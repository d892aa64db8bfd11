//! The register maps a model may name, with the limits each puts on a model.
//!
//! The maps themselves (addresses, scaling, bits) become data files with the wire issue;
//! these limits come from the NET VISION manual's appendices.

/// What a register map can express about a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapLimits {
    pub name: &'static str,
    /// ASCII characters of the serial number: JBUSP 0x1003–0x1007 (5 words), VU-MAP
    /// 0x0010 (10 words).
    pub max_serial_chars: usize,
    /// Units in a parallel system: 6 on JBUSP, 10 on VU-MAP.
    pub max_parallel_units: u8,
}

pub const MAPS: &[MapLimits] = &[
    MapLimits { name: "jbusp", max_serial_chars: 10, max_parallel_units: 6 },
    MapLimits { name: "vumap", max_serial_chars: 20, max_parallel_units: 10 },
];

pub fn limits(name: &str) -> Option<&'static MapLimits> {
    MAPS.iter().find(|m| m.name == name)
}
