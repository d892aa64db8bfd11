//! The card's Modbus TCP northbound (§18.12) with mbpoll, a real Modbus master: every
//! table it serves holds the twin's values (its state, decoded as the manual's table says), a write is refused with exception 01, an
//! address outside the tables with 02, a second connection is refused while one is open,
//! and a connection silent for the idle time is closed.

mod common;

use common::mbpoll::{MBPOLL, Target, read, write};
use common::truth::Truth;
use common::{Card, Served, peer};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

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

    // The card serves what it last polled: the twin's state is read before a poll that
    // follows it (the card polls every 0.2 s) and after the read, so that the values the
    // card holds fall between the two.
    let truth = Truth::of("delphys-mx-300");
    let checked = truth.check_every_table(&served, Duration::from_secs(1), |table| {
        read(target, table.start, table.words).unwrap_or_else(|e| panic!("{}: {e}", table.name))
    });
    assert!(checked >= 40, "measurements and status bits checked: {checked}");
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

    // A request answered on the first connection: it is the one the card holds open.
    let mut first = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    first.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    first.write_all(&[0, 7, 0, 0, 0, 6, 1, 3, 0x10, 0x69, 0, 1]).unwrap();
    let mut answer = [0u8; 11];
    first.read_exact(&mut answer).unwrap();
    assert_eq!(answer, [0, 7, 0, 0, 0, 5, 1, 3, 2, 0, 230], "M09 on the first connection");
    let answered_at = std::time::Instant::now();
    let second = read(target, 0x1000, 1).unwrap_err();
    println!("second connection: {}", second.trim());
    // Closed by the card once idle (a read of 0 bytes), well before the test's own timeout,
    // and not before its idle second.
    let mut byte = [0u8; 1];
    let end = first.read(&mut byte);
    let silent_s = answered_at.elapsed().as_secs_f64();
    println!("the silent connection ended after {silent_s:.2} s: {end:?}");
    assert!(matches!(end, Ok(0)), "closed by the card, not timed out: {end:?}");
    assert!(silent_s >= 0.9, "not before the idle time (1 s): {silent_s:.2} s");
    assert_eq!(read(target, 0x1060 + 9, 1).unwrap(), [230], "the port is free again");
}
