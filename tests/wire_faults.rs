//! Wire faults seen by a real RTU client on the pty and a real Modbus TCP client: each
//! injected misbehaviour is exactly what arrives, and a megabyte of garbage never stops the
//! server.

mod common;

use common::Served;
use serde_json::json;
use sim::modbus::rtu;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Read the UPS type and kVA (0x1000 ×2) from slave 1.
fn request() -> Vec<u8> {
    rtu::encode(1, &[0x03, 0x10, 0x00, 0x00, 0x02])
}

const EXPECTED: usize = 3 + 4 + 2;

/// How long a reply may take to start on a loaded machine (it ends at once when it comes).
const PATIENCE: Duration = Duration::from_secs(5);
/// How long a test listens to conclude that no reply comes.
const SILENCE: Duration = Duration::from_millis(500);
/// Silence after a reply's last byte that ends it.
const GAP: Duration = Duration::from_millis(100);

/// Anything a raw RTU master can talk through.
trait Line: Read + Write {}
impl<T: Read + Write> Line for T {}

/// A raw RTU master on the pty (the server set it to raw mode), non-blocking.
struct Client(Box<dyn Line>);

impl Client {
    fn open(path: &str) -> Client {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .expect("pty opens");
        Client(Box::new(file))
    }

    /// Drops whatever is waiting to be read.
    fn drain(&mut self) {
        let mut sink = [0u8; 4096];
        while matches!(self.0.read(&mut sink), Ok(n) if n > 0) {}
    }

    /// Writes all of `bytes`, waiting while the pty's buffer is full and dropping whatever
    /// the server answers meanwhile — but never after the last byte: the reply to a whole
    /// frame can come back within microseconds.
    fn send(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.0.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(_) => std::thread::sleep(Duration::from_millis(1)),
            }
            if !rest.is_empty() {
                self.drain();
            }
        }
    }

    /// Sends `frame` and collects what comes back: waits up to `wait` for the first byte,
    /// then until `GAP` passes with nothing new.
    fn transact(&mut self, frame: &[u8], wait: Duration) -> (Vec<u8>, Duration) {
        self.drain();
        let sent = Instant::now();
        self.send(frame);
        let mut reply = Vec::new();
        let mut first_byte = None;
        let mut last = Instant::now();
        let mut chunk = [0u8; 4096];
        while last.elapsed() < if first_byte.is_some() { GAP } else { wait } {
            match self.0.read(&mut chunk) {
                Ok(n) if n > 0 => {
                    first_byte.get_or_insert(sent.elapsed());
                    reply.extend_from_slice(&chunk[..n]);
                    last = Instant::now();
                }
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
        (reply, first_byte.unwrap_or(Duration::MAX))
    }
}

fn with_fault(served: &Served, name: &str, params: serde_json::Value, check: impl FnOnce(&mut Client)) {
    served.post("/api/wire-faults", json!({ "name": name, "params": params }));
    let mut client = Client::open(served.field("pty"));
    check(&mut client);
    served.delete(&format!("/api/wire-faults/{name}"));
}

/// A raw Modbus TCP client, non-blocking, as the RTU client is.
fn tcp_client(served: &Served) -> Client {
    let stream = std::net::TcpStream::connect(served.field("tcp")).expect("connects");
    stream.set_nonblocking(true).unwrap();
    Client(Box::new(stream))
}

/// Read 0x1000 ×2 over Modbus TCP, transaction 9, unit 1.
const TCP_REQUEST: [u8; 12] = [0, 9, 0, 0, 0, 6, 1, 0x03, 0x10, 0x00, 0x00, 0x02];

#[test]
fn each_wire_fault_is_what_a_modbus_tcp_client_sees() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]);
    let (good, _) = tcp_client(&served).transact(&TCP_REQUEST, PATIENCE);
    assert_eq!(good, [0, 9, 0, 0, 0, 7, 1, 0x03, 4, 0x01, 0x01, 0x02, 0x58], "257, 600 = 60 kVA × 10");
    let with = |name: &str, params: serde_json::Value, check: &dyn Fn(&mut Client)| {
        served.post("/api/wire-faults", json!({ "name": name, "params": params }));
        check(&mut tcp_client(&served));
        served.delete(&format!("/api/wire-faults/{name}"));
    };
    with("no_response", json!({}), &|c| assert!(c.transact(&TCP_REQUEST, SILENCE).0.is_empty()));
    with("late_response", json!({ "delay_ms": 400 }), &|c| {
        let (reply, after) = c.transact(&TCP_REQUEST, PATIENCE);
        assert_eq!(reply, good);
        assert!(after >= Duration::from_millis(400), "came after {after:?}");
    });
    with("forced_exception", json!({ "code": 6 }), &|c| {
        let (reply, _) = c.transact(&TCP_REQUEST, PATIENCE);
        assert_eq!(reply, [0, 9, 0, 0, 0, 3, 1, 0x83, 0x06]);
    });
    // The slave id and the CRC are RTU's: over TCP those faults leave the reply as it is.
    for rtu_only in ["wrong_slave_id", "corrupt_crc"] {
        with(rtu_only, json!({}), &|c| assert_eq!(c.transact(&TCP_REQUEST, PATIENCE).0, good, "{rtu_only}"));
    }
    with("truncated_reply", json!({}), &|c| {
        let (reply, _) = c.transact(&TCP_REQUEST, PATIENCE);
        assert!(!reply.is_empty() && reply.len() < good.len() && good.starts_with(&reply), "{reply:02X?}");
    });
    with("garbage_burst", json!({ "bytes": 32 }), &|c| {
        let (reply, _) = c.transact(&TCP_REQUEST, PATIENCE);
        assert_eq!(reply.len(), 32 + good.len());
        assert_eq!(&reply[32..], &good[..]);
    });
    with("line_break", json!({ "seconds": 3 }), &|c| {
        assert!(c.transact(&TCP_REQUEST, SILENCE).0.is_empty(), "the line is down");
        let up = common::eventually(30.0, || c.transact(&TCP_REQUEST, SILENCE).0 == good);
        assert!(up, "and up again after its 3 s");
    });
    assert_eq!(tcp_client(&served).transact(&TCP_REQUEST, PATIENCE).0, good, "all cleared");
}

#[test]
fn each_wire_fault_is_what_the_client_sees() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--pty", "--control", "127.0.0.1:0", "--seed", "3"]);
    let mut client = Client::open(served.field("pty"));
    let (good, _) = client.transact(&request(), PATIENCE);
    assert_eq!(
        rtu::decode_response(&good),
        Some((1, &[0x03, 4, 0x01, 0x01, 0x02, 0x58][..])),
        "257, 600 = 60 kVA × 10"
    );
    drop(client);

    with_fault(&served, "no_response", json!({}), |c| assert!(c.transact(&request(), SILENCE).0.is_empty()));
    with_fault(&served, "late_response", json!({ "delay_ms": 400 }), |c| {
        let (reply, after) = c.transact(&request(), PATIENCE);
        assert_eq!(reply, good);
        assert!(after >= Duration::from_millis(400), "came after {after:?}");
    });
    with_fault(&served, "corrupt_crc", json!({}), |c| {
        let (reply, _) = c.transact(&request(), PATIENCE);
        assert_eq!(reply.len(), EXPECTED);
        assert_eq!(&reply[..EXPECTED - 2], &good[..EXPECTED - 2]);
        assert!(rtu::decode_response(&reply).is_none(), "bad CRC");
    });
    with_fault(&served, "wrong_slave_id", json!({}), |c| {
        let (reply, _) = c.transact(&request(), PATIENCE);
        let (slave, pdu) = rtu::decode_response(&reply).expect("a valid CRC");
        assert_ne!(slave, 1);
        assert_eq!(pdu, &good[1..EXPECTED - 2]);
    });
    with_fault(&served, "forced_exception", json!({ "code": 6 }), |c| {
        let (reply, _) = c.transact(&request(), PATIENCE);
        assert_eq!(rtu::decode_response(&reply), Some((1, &[0x83, 0x06][..])));
    });
    with_fault(&served, "truncated_reply", json!({}), |c| {
        let (reply, _) = c.transact(&request(), PATIENCE);
        assert_eq!(reply, good[..EXPECTED / 2]);
    });
    with_fault(&served, "garbage_burst", json!({ "bytes": 32 }), |c| {
        let (reply, _) = c.transact(&request(), PATIENCE);
        assert_eq!(reply.len(), 32 + EXPECTED);
        assert_eq!(&reply[32..], &good[..]);
    });
    with_fault(&served, "line_break", json!({ "seconds": 3 }), |c| {
        assert!(c.transact(&request(), SILENCE).0.is_empty(), "the line is down");
        let up = common::eventually(30.0, || c.transact(&request(), SILENCE).0 == good);
        assert!(up, "and up again after its 3 s");
    });
    with_fault(&served, "intermittent_loss", json!({ "probability": 0.5 }), |c| {
        let answered = (0..40).filter(|_| !c.transact(&request(), SILENCE).0.is_empty()).count();
        assert!((8..=32).contains(&answered), "about half of 40 answered: {answered}");
    });
    let mut client = Client::open(served.field("pty"));
    assert_eq!(client.transact(&request(), PATIENCE).0, good, "all cleared");
}

/// A wire fault's duration runs on the twin's clock: at 100× a 10 s line break lasts 10 s of
/// twin time (0.1 s of wall time), not 10 wall seconds (1000 s of twin time).
#[test]
fn a_line_break_lasts_its_seconds_of_twin_time_at_100x() {
    let served =
        Served::start(&["--model", "masterys-gp-60", "--pty", "--control", "127.0.0.1:0", "--speed", "100"]);
    let mut client = Client::open(served.field("pty"));
    let quiet = Duration::from_millis(5);
    assert!(!client.transact(&request(), PATIENCE).0.is_empty(), "answered before");
    let before_s = served.get("/api/state")["time_s"].as_f64().unwrap();
    served.post("/api/wire-faults", json!({ "name": "line_break", "params": { "seconds": 10 } }));
    let wall = Instant::now();
    // The twin runs on while the request travels: the break started between these two readings.
    let injected_by_s = served.get("/api/state")["time_s"].as_f64().unwrap();
    let mut silent = 0;
    while wall.elapsed() < Duration::from_secs(60) {
        if client.transact(&request(), quiet).0.is_empty() {
            silent += 1;
        } else if silent > 0 {
            break;
        }
    }
    let back_after = wall.elapsed();
    let trace = served.get("/api/trace?count=1000");
    let frames = trace.as_array().unwrap();
    let sim_s = |frame: &serde_json::Value| frame["sim_s"].as_f64().unwrap();
    let broken: Vec<f64> =
        frames.iter().filter(|f| f["meaning"] == "line broken: not read").map(sim_s).collect();
    let last_broken_s = broken.iter().copied().fold(f64::NAN, f64::max);
    let answered_after_s = frames
        .iter()
        .filter(|f| f["direction"] == "tx" && sim_s(f) > last_broken_s)
        .map(sim_s)
        .next()
        .expect("a reply after the break");
    println!(
        "break injected between {before_s:.1} s and {injected_by_s:.1} s twin time; {} requests dropped \
         until {last_broken_s:.1} s; answered again at {answered_after_s:.1} s, {:.0} ms of wall time \
         after the injection",
        broken.len(),
        back_after.as_secs_f64() * 1000.0
    );
    assert!(!broken.is_empty() && silent > 0, "the line was down");
    assert!(last_broken_s - injected_by_s < 10.0, "down for at most 10 s of twin time");
    assert!(answered_after_s - before_s >= 10.0, "and for at least 10 s of twin time");
    assert!(
        // 10 s of wall time would be 1000 s of twin time; what the client's own pace adds on
        // a loaded machine stays far below that.
        answered_after_s - before_s < 500.0,
        "back long before 10 wall seconds (1000 s of twin time): at {:.1} s",
        answered_after_s - before_s
    );
}

#[test]
fn a_megabyte_of_garbage_never_stops_the_server() {
    let served = Served::start(&["--model", "masterys-gp-60", "--pty", "--control", "127.0.0.1:0"]);
    let mut client = Client::open(served.field("pty"));
    let mut state = 0x2545_F491_u32;
    let garbage: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let started = Instant::now();
    client.send(&garbage);
    println!("1 MiB of garbage written in {:.1} s", started.elapsed().as_secs_f64());
    // Let the server chew through what is buffered, then ask properly.
    let answered = common::eventually(30.0, || {
        let (reply, _) = client.transact(&request(), PATIENCE);
        reply.len() >= EXPECTED && rtu::decode_response(&reply[reply.len() - EXPECTED..]).is_some()
    });
    assert!(answered, "the server answers a valid request after 1 MB of garbage");
    let state = served.get("/api/state");
    assert_eq!(state["mode"], "OnInverter", "and the twin kept running");
}

#[test]
fn the_trace_is_a_pcap_wireshark_decodes_as_modbus_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.pcap");
    let served = Served::start(&[
        "--model",
        "masterys-gp-60",
        "--pty",
        "--control",
        "127.0.0.1:0",
        "--trace",
        path.to_str().unwrap(),
    ]);
    let mut client = Client::open(served.field("pty"));
    let (good, _) = client.transact(&request(), PATIENCE);
    assert_eq!(good.len(), EXPECTED);
    drop(served);
    let file = std::fs::File::open(&path).unwrap();
    let mut reader = pcap_file::pcap::PcapReader::new(file).unwrap();
    assert_eq!(reader.header().datalink, pcap_file::DataLink::ETHERNET);
    let mut payloads = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap();
        let parsed = etherparse::SlicedPacket::from_ethernet(&packet.data).unwrap();
        let Some(etherparse::TransportSlice::Tcp(tcp)) = parsed.transport else { panic!("a TCP segment") };
        payloads.push((tcp.source_port(), tcp.destination_port(), tcp.payload().to_vec()));
    }
    // The request and the reply, as Modbus/TCP on port 502 (unit id = slave id, no CRC).
    assert_eq!(payloads[0], (50_000, 502, vec![0, 1, 0, 0, 0, 6, 1, 0x03, 0x10, 0x00, 0x00, 0x02]));
    assert_eq!(payloads[1], (502, 50_000, vec![0, 1, 0, 0, 0, 7, 1, 0x03, 4, 0x01, 0x01, 0x02, 0x58]));
}

#[test]
fn the_rtu_slave_answers_as_the_protocol_says() {
    let served = Served::start(&["--model", "masterys-gp-60", "--pty", "--control", "127.0.0.1:0"]);
    let mut client = Client::open(served.field("pty"));
    // Diagnostics (08) is no function of this UPS: exception 01, even though its length is
    // not known to the framer.
    let (reply, _) = client.transact(&rtu::encode(1, &[0x08, 0x00, 0x00, 0x12, 0x34]), PATIENCE);
    assert_eq!(rtu::decode_response(&reply), Some((1, &[0x88, 0x01][..])));
    let (reply, _) = client.transact(&rtu::encode(1, &[0x03, 0x10, 0x60, 0x00, 0x00]), PATIENCE);
    assert_eq!(rtu::decode_response(&reply), Some((1, &[0x83, 0x03][..])), "count 0");
    let (reply, _) = client.transact(&rtu::encode(1, &[0x03, 0x20, 0x00, 0x00, 0x01]), PATIENCE);
    assert_eq!(rtu::decode_response(&reply), Some((1, &[0x83, 0x02][..])), "no such address");
    assert!(
        client.transact(&rtu::encode(2, &[0x03, 0x10, 0x00, 0x00, 0x01]), SILENCE).0.is_empty(),
        "slave 2 is someone else"
    );
    let mut corrupt = request();
    corrupt[7] ^= 0xFF;
    assert!(client.transact(&corrupt, SILENCE).0.is_empty(), "a bad CRC is not answered");
    // A broadcast write (slave 0) runs and is not answered: eco mode on.
    assert!(client.transact(&rtu::encode(0, &[0x06, 0x15, 0x01, 0x00, 0x01]), SILENCE).0.is_empty());
    assert!(common::eventually(30.0, || served.get("/api/state")["conditions"]["eco_mode"] == true));
    // A command the firmware refuses: exception 04 (cancel a shutdown that is not pending).
    let (reply, _) = client.transact(&rtu::encode(1, &[0x06, 0x15, 0x09, 0x00, 0x01]), PATIENCE);
    assert_eq!(rtu::decode_response(&reply), Some((1, &[0x86, 0x04][..])));
}

#[test]
fn a_serial_port_is_served_too() {
    // A pty pair stands in for a USB-RS232 cable: upstwin opens the slave end as a serial
    // port, the test talks on the master end.
    let (master, slave) = serialport::TTYPort::pair().expect("a pty pair");
    let path = serialport::SerialPort::name(&slave).expect("the slave has a name");
    drop(slave);
    let served = Served::start(&[
        "--model",
        "masterys-gp-60",
        "--serial",
        &path,
        "--baud",
        "57600",
        "--control",
        "127.0.0.1:0",
    ]);
    assert_eq!(served.field("serial"), path);
    let mut master = master;
    serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(2)).unwrap();
    let mut client = Client(Box::new(master));
    // The port opens asynchronously; poll until it answers (physical timing: gap + 2 ms).
    let answered = common::eventually(30.0, || {
        let (reply, _) = client.transact(&request(), SILENCE);
        rtu::decode_response(&reply).is_some()
    });
    assert!(answered, "the twin answers on the serial port");
}
