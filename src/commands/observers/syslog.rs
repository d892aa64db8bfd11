//! The syslog observer: a syslog server on loopback (UDP and TCP, RFC 3164 and RFC 5424;
//! TCP framed by newlines or RFC 6587 octet counts) for `received: Syslog("…")`.

use super::{Inbox, keep as keep_line};
use scenarios::replay::Observer;
use syslog_loose::{Variant, parse_message};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::{TcpListener, UdpSocket};

/// One message as a log line: severity, app name and text, then the raw message, so an
/// expectation may match any of them.
pub fn line(raw: &str) -> String {
    let raw = raw.trim_end_matches(['\r', '\n', '\0']);
    let message = parse_message(raw, Variant::Either);
    let severity = message.severity.map_or("-".to_string(), |s| s.as_str().to_string());
    let app = message.appname.unwrap_or("-");
    format!("{severity} {app}: {} | {raw}", message.msg)
}

fn keep(inbox: &Inbox, raw: &str) {
    if raw.trim().is_empty() {
        return;
    }
    keep_line(inbox, Observer::Syslog, line(raw));
}

/// Receives datagrams until the task is dropped.
pub async fn udp(socket: UdpSocket, inbox: Inbox) {
    let mut buf = vec![0u8; 65_536];
    while let Ok((n, _)) = socket.recv_from(&mut buf).await {
        keep(&inbox, &String::from_utf8_lossy(&buf[..n]));
    }
}

/// Accepts connections until the task is dropped; each is read until it closes.
pub async fn tcp(listener: TcpListener, inbox: Inbox) {
    while let Ok((stream, _)) = listener.accept().await {
        let inbox = inbox.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream);
            loop {
                // RFC 6587: "LEN SP MSG" when the frame starts with a digit, else one per line.
                let starts_with_digit = match reader.fill_buf().await {
                    Ok([]) | Err(_) => return,
                    Ok(bytes) => bytes[0].is_ascii_digit(),
                };
                let mut frame = Vec::new();
                if starts_with_digit {
                    if reader.read_until(b' ', &mut frame).await.is_err() {
                        return;
                    }
                    let Some(len) =
                        std::str::from_utf8(&frame).ok().and_then(|t| t.trim().parse::<usize>().ok())
                    else {
                        // Not a count after all: the digits began a newline-framed message.
                        let mut rest = Vec::new();
                        if reader.read_until(b'\n', &mut rest).await.is_err() {
                            return;
                        }
                        frame.extend_from_slice(&rest);
                        keep(&inbox, &String::from_utf8_lossy(&frame));
                        continue;
                    };
                    let mut message = vec![0u8; len.min(1 << 20)];
                    if reader.read_exact(&mut message).await.is_err() {
                        return;
                    }
                    keep(&inbox, &String::from_utf8_lossy(&message));
                } else {
                    match reader.read_until(b'\n', &mut frame).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => keep(&inbox, &String::from_utf8_lossy(&frame)),
                    }
                }
            }
        });
    }
}
