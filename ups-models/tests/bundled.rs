//! Every bundled model and block loads, validates, and survives a RON round trip.

use ups_models::battery::BlockParams;
use ups_models::{UpsModel, bundled, load_block, load_model, ron_text};

#[test]
fn every_bundled_model_round_trips() {
    assert_eq!(bundled::MODELS.len(), 6);
    for (name, _) in bundled::MODELS {
        let loaded = load_model(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = ron_text::to_pretty(&loaded.model);
        let again: UpsModel = ron_text::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, loaded.model, "{name} changed in a round trip");
    }
}

#[test]
fn every_bundled_block_round_trips() {
    for (name, _) in bundled::BLOCKS {
        let block = load_block(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again: BlockParams = ron_text::parse(&ron_text::to_pretty(&block)).unwrap();
        assert_eq!(again, block, "{name} changed in a round trip");
    }
}

#[test]
fn bundled_models_follow_the_manual() {
    // NET VISION manual §6 (serial links) and the appendix model codes.
    let expect = [
        ("netys-pr-3k", "jbusp", 9600, 35, 1),
        ("itys-2k", "jbusp", 2400, 30, 1),
        ("masterys-gp-60", "jbusp", 9600, 257, 3),
        ("delphys-mx-300", "jbusp", 9600, 515, 3),
        ("delphys-mx-system", "jbusp", 9600, 1018, 3),
        ("modulys-gp2-100", "vumap", 57600, 0x8100, 3),
    ];
    for (name, map, baud, code, phases) in expect {
        let model = load_model(name).unwrap().model;
        assert_eq!(model.register_map, map, "{name}");
        assert_eq!(model.serial.baud, baud, "{name}");
        assert_eq!(model.serial.slave_id, 1, "{name}");
        assert_eq!(model.identity.model_code, code, "{name}");
        assert_eq!(model.ratings.output_phases, phases, "{name}");
    }
}

/// A block file written before the polarization onset existed still loads, with the
/// polarization in proportion to the current it was fitted with.
#[test]
fn a_block_file_from_before_the_polarization_onset_loads() {
    let text = bundled::block("vrla-12v-9ah").unwrap();
    let old: String =
        text.lines().filter(|l| !l.contains("polarization_log_onset_per_h")).collect::<Vec<_>>().join("\n");
    let block: BlockParams = ron_text::parse(&old).expect("an older block file parses");
    assert_eq!(block.cell.polarization_log_onset_per_h, 100.0);
    ups_models::validate::block(&block).expect("and validates");
}
