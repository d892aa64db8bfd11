//! The twin's Modbus TCP server against the Modbus Application Protocol v1.1b3 and the
//! Modbus Messaging on TCP/IP Implementation Guide v1.0b: one table of requests, each with
//! the answer, the exception or the silence the specification requires. (RTU's slave ids,
//! broadcast, CRC and exceptions: `wire_faults.rs`.)

mod common;

use common::Served;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What the specification requires of the server.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// A normal response whose PDU starts with these bytes.
    Answer(&'static [u8]),
    /// Exception `code` to function `function`.
    Exception(u8, u8),
}

use Expect::*;

const MASTERYS_SLAVE: u8 = 1;

/// (what, unit id, PDU, expected). The JBUSP image: 0x1060 ×48 measurements, command
/// registers at 0x1500 (0x1506 alarm acknowledgement, one word).
fn table() -> Vec<(&'static str, u8, Vec<u8>, Expect)> {
    // FC16 declaring `count` words and `byte_count` bytes, carrying `words` words of 1.
    let write_multiple = |address: u16, count: u16, byte_count: u8, words: usize| {
        let mut pdu = vec![0x10];
        pdu.extend(address.to_be_bytes());
        pdu.extend(count.to_be_bytes());
        pdu.push(byte_count);
        pdu.extend(std::iter::repeat_n([0u8, 1], words).flatten());
        pdu
    };
    vec![
        ("FC03 one word", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0, 1], Answer(&[3, 2])),
        ("FC03 a whole table", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0, 48], Answer(&[3, 96])),
        ("FC04 reads the same image", MASTERYS_SLAVE, vec![4, 0x10, 0x60, 0, 2], Answer(&[4, 4])),
        ("FC03 quantity 0", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0, 0], Exception(3, 3)),
        // 125 passes the quantity check and meets the end of the table: address.
        ("FC03 quantity 125 (the most)", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0, 125], Exception(3, 2)),
        ("FC03 quantity 126", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0, 126], Exception(3, 3)),
        ("FC04 quantity 126", MASTERYS_SLAVE, vec![4, 0x10, 0x60, 0, 126], Exception(4, 3)),
        ("FC03 past 0xFFFF", MASTERYS_SLAVE, vec![3, 0xFF, 0xFF, 0, 2], Exception(3, 2)),
        ("FC03 where nothing is", MASTERYS_SLAVE, vec![3, 0x20, 0x00, 0, 1], Exception(3, 2)),
        ("FC03 cut short", MASTERYS_SLAVE, vec![3, 0x10, 0x60, 0], Exception(3, 3)),
        (
            "FC06 alarm acknowledgement",
            MASTERYS_SLAVE,
            vec![6, 0x15, 0x06, 0, 1],
            Answer(&[6, 0x15, 0x06, 0, 1]),
        ),
        ("FC06 where nothing is", MASTERYS_SLAVE, vec![6, 0x20, 0x00, 0, 1], Exception(6, 2)),
        ("FC16 one word", MASTERYS_SLAVE, write_multiple(0x1506, 1, 2, 1), Answer(&[0x10, 0x15, 0x06, 0, 1])),
        (
            "FC16 quantity 123 (the most)",
            MASTERYS_SLAVE,
            write_multiple(0x1500, 123, 246, 123),
            Exception(0x10, 2),
        ),
        // 124 words do not fit an ADU (253 bytes of PDU at most): declared, not carried.
        ("FC16 quantity 124", MASTERYS_SLAVE, write_multiple(0x1500, 124, 248, 2), Exception(0x10, 3)),
        ("FC16 quantity 0", MASTERYS_SLAVE, write_multiple(0x1506, 0, 0, 0), Exception(0x10, 3)),
        (
            "FC16 byte count not 2 × quantity",
            MASTERYS_SLAVE,
            write_multiple(0x1506, 1, 3, 1),
            Exception(0x10, 3),
        ),
        (
            "FC16 fewer bytes than counted",
            MASTERYS_SLAVE,
            write_multiple(0x1506, 2, 4, 1),
            Exception(0x10, 3),
        ),
        // A UPS has no coils, discrete inputs or FIFO: illegal function, whatever the quantity.
        ("FC01 2000 coils", MASTERYS_SLAVE, vec![1, 0, 0, 0x07, 0xD0], Exception(1, 1)),
        ("FC02 2000 inputs", MASTERYS_SLAVE, vec![2, 0, 0, 0x07, 0xD0], Exception(2, 1)),
        ("FC05", MASTERYS_SLAVE, vec![5, 0, 0, 0xFF, 0], Exception(5, 1)),
        (
            "FC15 1968 coils",
            MASTERYS_SLAVE,
            [vec![0x0F, 0, 0, 0x07, 0xB0, 246], vec![0; 246]].concat(),
            Exception(0x0F, 1),
        ),
        (
            "FC23 read 125, write 121",
            MASTERYS_SLAVE,
            [vec![0x17, 0x10, 0x60, 0, 125, 0x15, 0, 0, 121, 242], vec![0; 242]].concat(),
            Exception(0x17, 1),
        ),
        ("FC08 diagnostics", MASTERYS_SLAVE, vec![8, 0, 0, 0x12, 0x34], Exception(8, 1)),
        ("FC43/14 device identification", MASTERYS_SLAVE, vec![0x2B, 0x0E, 1, 0], Exception(0x2B, 1)),
        ("an unknown function", MASTERYS_SLAVE, vec![0x41], Exception(0x41, 1)),
        // Guide §4.4.1.2: over TCP the unit id 0xFF addresses the server itself; 0 is taken
        // the same way; another unit behind this "gateway" does not answer.
        ("unit 0", 0, vec![3, 0x10, 0x60, 0, 1], Answer(&[3, 2])),
        ("unit 255", 255, vec![3, 0x10, 0x60, 0, 1], Answer(&[3, 2])),
        ("unit 7", 7, vec![3, 0x10, 0x60, 0, 1], Exception(3, 0x0B)),
    ]
}

fn mbap(transaction: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = transaction.to_be_bytes().to_vec();
    frame.extend([0, 0]);
    frame.extend(((pdu.len() + 1) as u16).to_be_bytes());
    frame.push(unit);
    frame.extend(pdu);
    frame
}

fn connect(served: &Served) -> TcpStream {
    let stream = TcpStream::connect(served.field("tcp")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// The next response: transaction id, unit id and PDU.
fn response(stream: &mut TcpStream) -> Option<(u16, u8, Vec<u8>)> {
    let mut header = [0u8; 7];
    stream.read_exact(&mut header).ok()?;
    let length = usize::from(u16::from_be_bytes([header[4], header[5]]));
    let mut pdu = vec![0u8; length.checked_sub(1)?];
    stream.read_exact(&mut pdu).ok()?;
    Some((u16::from_be_bytes([header[0], header[1]]), header[6], pdu))
}

/// Whether the server closed the connection without a word.
fn closed_silently(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(stream.read(&mut byte), Ok(0))
}

#[test]
fn every_request_of_the_table_gets_what_the_specification_requires() {
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let mut stream = connect(&served);
    let mut wrong = Vec::new();
    for (transaction, (what, unit, pdu, expect)) in (1u16..).zip(table()) {
        stream.write_all(&mbap(transaction, unit, &pdu)).unwrap();
        let Some((echoed, echoed_unit, answer)) = response(&mut stream) else {
            wrong.push(format!("{what}: no answer (expected {expect:?})"));
            stream = connect(&served);
            continue;
        };
        let holds = match expect {
            Answer(start) => answer.starts_with(start),
            Exception(function, code) => answer == [function | 0x80, code],
        };
        if !holds || echoed != transaction || echoed_unit != unit {
            wrong.push(format!(
                "{what}: got {answer:02X?} (transaction {echoed}, unit {echoed_unit}), expected {expect:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of the table wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn two_requests_in_one_segment_and_one_split_over_several_are_each_answered() {
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let mut stream = connect(&served);
    stream.set_nodelay(true).unwrap();
    let both = [mbap(1, 1, &[3, 0x10, 0x60, 0, 1]), mbap(2, 1, &[3, 0x10, 0x00, 0, 2])].concat();
    stream.write_all(&both).unwrap();
    assert_eq!(response(&mut stream).map(|(t, _, pdu)| (t, pdu[..2].to_vec())), Some((1, vec![3, 2])));
    assert_eq!(response(&mut stream).map(|(t, _, pdu)| (t, pdu[..2].to_vec())), Some((2, vec![3, 4])));
    let split = mbap(3, 1, &[3, 0x10, 0x60, 0, 4]);
    for piece in [&split[..3], &split[3..8], &split[8..]] {
        stream.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(response(&mut stream).map(|(t, _, pdu)| (t, pdu[..2].to_vec())), Some((3, vec![3, 8])));
}

#[test]
fn a_header_that_is_not_modbus_closes_the_connection_unanswered() {
    let served = Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0"]);
    let mut other_protocol = mbap(1, 1, &[3, 0x10, 0x60, 0, 1]);
    other_protocol[3] = 1;
    let mut no_unit = mbap(1, 1, &[]);
    no_unit[5] = 0;
    let mut too_long = mbap(1, 1, &[3, 0x10, 0x60, 0, 1]);
    too_long[4..6].copy_from_slice(&300u16.to_be_bytes());
    for (what, frame) in [("protocol id 1", other_protocol), ("length 0", no_unit), ("length 300", too_long)]
    {
        let mut stream = connect(&served);
        stream.write_all(&frame).unwrap();
        assert!(closed_silently(&mut stream), "{what}: closed without an answer");
    }
    let mut stream = connect(&served);
    stream.write_all(&mbap(9, 1, &[3, 0x10, 0x60, 0, 1])).unwrap();
    assert_eq!(response(&mut stream).map(|(t, ..)| t), Some(9), "the server still serves");
}
