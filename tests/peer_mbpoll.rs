//! mbpoll, a real Modbus master, reads every table of both maps from `upstwin serve` over
//! the pty (RTU) and over TCP. Each word equals the twin's register image at that moment
//! (moving measurements within a small tolerance), the documented values are the model's,
//! and an undocumented address gets exception 02.

mod common;

use common::mbpoll::{MBPOLL, Target, read};
use common::{Served, peer};

/// Words that move with the physics (temperatures, battery voltage, the clock) may have
/// moved between the two reads by a count or two.
fn close(wire: u16, truth: u16) -> bool {
    wire.abs_diff(truth) <= 2.max(truth / 100)
}

fn compare_tables(served: &Served, target: Target, map: &str, undocumented: u16) {
    let map = ups_models::maps::bundled(map).unwrap();
    for table in &map.tables {
        let wire = read(target, table.start, table.words).unwrap_or_else(|e| panic!("{}: {e}", table.name));
        let truth = served.registers(table.start, table.words);
        for (i, (w, t)) in wire.iter().zip(&truth).enumerate() {
            assert!(
                close(*w, *t),
                "{} 0x{:04X}: wire {w:#06x}, twin {t:#06x}",
                table.name,
                table.start + i as u16
            );
        }
        println!(
            "{:<16} 0x{:04X} ×{:<3} = twin ({} words checked)",
            table.name,
            table.start,
            table.words,
            wire.len()
        );
    }
    let refused = read(target, undocumented, 1).unwrap_err();
    assert!(refused.contains("Illegal data address"), "0x{undocumented:04X}: {refused}");
}

#[test]
fn mbpoll_reads_every_jbusp_table_over_pty_and_tcp() {
    if !peer(MBPOLL, "mbpoll") {
        return;
    }
    let served = Served::start(&[
        "--model",
        "delphys-mx-300",
        "--pty",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
    ]);
    let port = served.field("tcp").rsplit(':').next().unwrap().to_string();
    for target in [Target::Rtu { path: served.field("pty"), baud: 9600 }, Target::Tcp { port: &port }] {
        compare_tables(&served, target, "jbusp", 0x1100);
        let identifiers = read(target, 0x1000, 12).unwrap();
        assert_eq!(&identifiers[..3], &[515, 3000, 1], "DELPHYS MX, 300 kVA, module 1");
        let configuration = read(target, 0x10E0, 32).unwrap();
        assert_eq!(&configuration[..4], &[230, 230, 50, 50], "NUT reads the configuration as 32 words");
        let measurements = read(target, 0x1060, 48).unwrap();
        assert_eq!(&measurements[9..12], &[230, 230, 230]);
        assert_eq!(measurements[23], 0xFFFF, "no remaining time on mains");
    }
}

#[test]
fn mbpoll_reads_every_vumap_table_over_pty_and_tcp() {
    if !peer(MBPOLL, "mbpoll") {
        return;
    }
    let served = Served::start(&[
        "--model",
        "modulys-gp2-100",
        "--pty",
        "--tcp",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
    ]);
    let port = served.field("tcp").rsplit(':').next().unwrap().to_string();
    for target in [Target::Rtu { path: served.field("pty"), baud: 57_600 }, Target::Tcp { port: &port }] {
        compare_tables(&served, target, "vumap", 0x0100);
        let configuration = read(target, 0x0001, 15).unwrap();
        assert_eq!(configuration[0], 0x0801, "modular unit");
        assert_eq!(configuration[14], 0x8100, "MODULYS GP 2.0");
    }
}
