//! Arbitrary bytes from a shutdown agent's connection: the line reader (4096 bytes at
//! most), the handshake parser and a session's MAC and sequence check never panic, and no
//! line that was not signed with the secret opens.
#![no_main]

use card::shutdown::protocol::{self, Handshake, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let mut reader = tokio::io::BufReader::new(data);
        let mut session = Session::new("correct-horse-battery", "a1", "c1");
        while let Ok(line) = protocol::read_line(&mut reader).await {
            assert!(line.len() <= protocol::MAX_LINE_BYTES as usize);
            let _ = serde_json::from_str::<Handshake>(&line);
            assert!(session.open(&line).is_err(), "a forged line opened: {line}");
        }
    });
});
