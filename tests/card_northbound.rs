//! The card's Modbus TCP northbound (§18.12) with mbpoll, a real Modbus master: every
//! table it serves equals the twin's registers, a write is refused with exception 01, an
//! address outside the tables with 02, a second connection is refused while one is open,
//! and a connection silent for the idle time is closed.

mod common;

use common::mbpoll::{MBPOLL, Target, read, write};
use common::{Card, Served, peer};
use std::io::Read;
use std::net::TcpStream;
use std::time::Duration;

/// The twin moves between the card's poll and the twin's answer: temperatures, battery
/// voltage and the clock may differ by a count or two.
fn close(card: u16, twin: u16) -> bool {
    card.abs_diff(twin) <= 2.max(twin / 100)
}

#[test]
fn mbpoll_reads_the_ups_tables_through_the_card() {
    if !peer(MBPOLL, "mbpoll") {
        return;
    }
    let served =
        Served::start(&["--model", "delphys-mx-300", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let config =
        "CardConfig(modbus_tcp: (allow: [\"127.0.0.*\"], idle_close_s: 1.0), synchronize_ups_clock: false)";
    let card = Card::start(&served, "card-northbound", config, &["--modbus-tcp", "127.0.0.1:0"]);
    let ready = &card.ready;
    let port = ready
        .split("northbound Modbus TCP 127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .expect("the port");
    let target = Target::Tcp { port };

    let map = ups_models::maps::bundled("jbusp").unwrap();
    for table in &map.tables {
        let through_card =
            read(target, table.start, table.words).unwrap_or_else(|e| panic!("{}: {e}", table.name));
        let twin = served.registers(table.start, table.words);
        for (i, (c, t)) in through_card.iter().zip(&twin).enumerate() {
            let address = table.start + i as u16;
            assert!(close(*c, *t), "{} 0x{address:04X}: card {c:#06x}, twin {t:#06x}", table.name);
        }
        println!("{:<14} 0x{:04X} ×{:<2} = twin", table.name, table.start, table.words);
    }
    let part = read(target, 0x1060 + 9, 3).unwrap();
    assert_eq!(part, [230, 230, 230], "part of a table: the output voltages");

    let refused = write(target, 0x1060, 1).unwrap_err();
    // The frame, not mbpoll's words: mbpoll 1.0 names exception 01 to a write "Illegal data
    // address".
    let answer = refused.lines().map(str::trim).find(|l| l.starts_with('<')).unwrap_or_default();
    println!("a write is answered {answer}");
    assert!(answer.ends_with("<01><86><01>"), "exception 01 to function 06: {refused}");
    let outside = read(target, 0x1100, 1).unwrap_err();
    assert!(outside.contains("Illegal data address"), "outside the tables: {outside}");
    let across = read(target, 0x1000, 0x30).unwrap_err();
    assert!(across.contains("Illegal data address"), "across two tables: {across}");

    let mut first = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let second = read(target, 0x1000, 1).unwrap_err();
    println!("second connection: {}", second.trim());
    first.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = std::time::Instant::now();
    let mut byte = [0u8; 1];
    let end = first.read(&mut byte);
    let silent_s = started.elapsed().as_secs_f64();
    println!("the silent connection ended after {silent_s:.2} s: {end:?}");
    assert!(matches!(end, Ok(0)), "closed by the card, not timed out: {end:?}");
    assert!(silent_s < 4.0, "closed after the idle second, not the test's timeout");
    assert_eq!(read(target, 0x1060 + 9, 1).unwrap(), [230], "the port is free again");
}
