//! A parallel system losing units, through the reference card: DELPHYS MX SYSTEM (three
//! units, N+1) at half load. One unit down costs the redundancy (JBUSP A43 "redundancy
//! loss"), a second one the capacity (A50 "insufficient resources"); the card's alarm table
//! follows the twin's own conditions, and clears when the units come back.

mod common;

use common::{Card, Served, eventually};
use serde_json::json;

fn active_codes(card: &Card) -> Vec<String> {
    let (_, body) = card.get("/api/alarms");
    let alarms: serde_json::Value = serde_json::from_str(&body).unwrap();
    alarms["active"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_parallel_system_loses_its_redundancy_then_its_capacity() {
    let served = Served::start(&[
        "--model",
        "delphys-mx-system",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--load-pct",
        "50",
    ]);
    let card = Card::start(&served, "parallel", "CardConfig(synchronize_ups_clock: false)", &[]);
    let truth = |condition: &str| served.get("/api/state")["conditions"][condition] == true;
    let shows = |code: &str| active_codes(&card).iter().any(|c| c == code);
    assert!(
        eventually(30.0, || !shows("A43") && !shows("A50") && !shows("COM")),
        "{:?}",
        active_codes(&card)
    );

    served.post("/api/faults", json!({ "name": "unit_failure", "params": { "unit": 2 } }));
    // The twin's conditions follow at its next step.
    assert!(
        eventually(30.0, || truth("redundancy_lost") && !truth("insufficient_resources")),
        "the twin, one unit down of N+1: {}",
        served.get("/api/state")["conditions"]
    );
    assert!(eventually(30.0, || shows("A43")), "redundancy loss shown: {:?}", active_codes(&card));
    assert!(!shows("A50"), "two units still carry half the load: {:?}", active_codes(&card));

    served.post("/api/faults", json!({ "name": "unit_failure", "params": { "unit": 3 } }));
    assert!(
        eventually(30.0, || truth("insufficient_resources")),
        "the twin, one unit left for two units' load: {}",
        served.get("/api/state")["conditions"]
    );
    assert!(eventually(30.0, || shows("A50")), "insufficient resources shown: {:?}", active_codes(&card));

    served.delete("/api/faults/unit_failure");
    assert!(
        eventually(30.0, || !truth("redundancy_lost") && !truth("insufficient_resources")),
        "the units are back"
    );
    assert!(eventually(30.0, || !shows("A43") && !shows("A50")), "cleared: {:?}", active_codes(&card));
}
