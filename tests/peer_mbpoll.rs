//! mbpoll, a real Modbus master, reads every table of both maps from `upstwin serve` over
//! the pty (RTU) and over TCP. Each measurement, decoded as the map (the manual's table)
//! says, is the twin's own value at that moment and each status bit its condition; the
//! documented values are the model's, and an undocumented address gets exception 02.

mod common;

use common::mbpoll::{MBPOLL, Target, read};
use common::truth::Truth;
use common::{Served, peer};
use std::time::Duration;

/// Reads every table of the model's map and checks each measurement and status bit with
/// the twin's state read around the read; an undocumented address is refused.
fn compare_tables(served: &Served, target: Target, model: &str, undocumented: u16) {
    let truth = Truth::of(model);
    let checked = truth.check_every_table(served, Duration::ZERO, |table| {
        read(target, table.start, table.words).unwrap_or_else(|e| panic!("{}: {e}", table.name))
    });
    assert!(checked >= 40, "measurements and status bits checked: {checked}");
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
        compare_tables(&served, target, "delphys-mx-300", 0x1100);
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
        compare_tables(&served, target, "modulys-gp2-100", 0x0100);
        let configuration = read(target, 0x0001, 15).unwrap();
        assert_eq!(configuration[0], 0x0801, "modular unit");
        assert_eq!(configuration[14], 0x8100, "MODULYS GP 2.0");
    }
}
