//! A minimal Modbus master for the benchmark scripts: one request in flight per connection,
//! reading `count` words from `address` as fast as the server answers, for `seconds`; over
//! TCP, CONNECTIONS at once (default 1), a thread each.
//!
//! ```sh
//! cargo run --release --example modbus_load -- tcp 127.0.0.1:1502 0x1060 48 3 [CONNECTIONS]
//! cargo run --release --example modbus_load -- rtu /dev/pts/3 0x1060 48 3
//! ```
//! Prints requests per second (all connections) and the median and 95th-percentile
//! request→response time.

use sim::modbus::{rtu, tcp};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn parse_u16(text: &str) -> u16 {
    match text.strip_prefix("0x") {
        Some(hex) => u16::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .expect("a number")
}

/// One connection's requests until `deadline`: each one's round trip.
fn tcp_load(address: &str, pdu: &[u8], count: u16, deadline: Instant) -> Vec<Duration> {
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    stream.set_nodelay(true).unwrap();
    let expected = tcp::HEADER + 2 + 2 * usize::from(count);
    let mut reply = vec![0u8; expected];
    let mut transaction = 0u16;
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        transaction = transaction.wrapping_add(1);
        let sent = Instant::now();
        stream.write_all(&tcp::encode(transaction, 1, pdu)).unwrap();
        stream.read_exact(&mut reply).unwrap();
        latencies.push(sent.elapsed());
        assert_eq!(u16::from_be_bytes([reply[0], reply[1]]), transaction);
    }
    latencies
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(6..=7).contains(&args.len()) {
        eprintln!("usage: modbus_load tcp|rtu ADDRESS|PATH START COUNT SECONDS [CONNECTIONS]");
        std::process::exit(2);
    }
    let (start, count, seconds) = (parse_u16(&args[3]), parse_u16(&args[4]), args[5].parse::<f64>().unwrap());
    let pdu = [0x03, (start >> 8) as u8, start as u8, (count >> 8) as u8, count as u8];
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    match args[1].as_str() {
        "tcp" => {
            let connections: usize = args.get(6).map_or(1, |n| n.parse().expect("a number of connections"));
            let address = args[2].clone();
            let threads: Vec<_> = (0..connections)
                .map(|_| {
                    let address = address.clone();
                    std::thread::spawn(move || tcp_load(&address, &pdu, count, deadline))
                })
                .collect();
            for thread in threads {
                latencies.extend(thread.join().expect("a load thread"));
            }
        }
        "rtu" => {
            use std::os::unix::fs::OpenOptionsExt;
            let mut port = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_NOCTTY)
                .open(&args[2])
                .expect("port opens");
            let request = rtu::encode(1, &pdu);
            let expected = 5 + 2 * usize::from(count);
            let mut reply = vec![0u8; expected];
            while Instant::now() < deadline {
                let sent = Instant::now();
                port.write_all(&request).unwrap();
                port.read_exact(&mut reply).unwrap();
                latencies.push(sent.elapsed());
                assert!(rtu::decode_response(&reply).is_some(), "a good reply");
            }
        }
        other => panic!("unknown transport {other}"),
    }
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    let p95 = latencies[latencies.len() * 95 / 100];
    println!(
        "requests {} req/s {:.0} median_us {:.1} p95_us {:.1}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        median.as_secs_f64() * 1e6,
        p95.as_secs_f64() * 1e6
    );
}
