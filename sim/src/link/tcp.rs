//! Modbus TCP server: many connections, each framed with MBAP.

use super::SharedTwin;
use super::trace::Meaning;
use crate::modbus::tcp::{self, Scan};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections forever; each is served on its own task.
pub async fn serve(listener: TcpListener, twin: SharedTwin) -> std::io::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let twin = twin.clone();
        tokio::spawn(async move {
            // A client that misbehaves only loses its own connection.
            let _ = connection(stream, twin, format!("tcp:{peer}")).await;
        });
    }
}

async fn connection(mut stream: TcpStream, twin: SharedTwin, link: String) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        loop {
            match tcp::scan(&buf) {
                Scan::NeedMore => break,
                Scan::Invalid => return Ok(()),
                Scan::Frame { len, transaction, unit } => {
                    let frame: Vec<u8> = buf.drain(..len).collect();
                    let plan = {
                        let mut guard = twin.lock();
                        let twin = &mut *guard;
                        let sim_s = twin.ups.time_s();
                        if twin.wire.line_broken() {
                            twin.trace.record(sim_s, &link, "rx", &frame, Meaning::LineBroken);
                            continue;
                        }
                        let answer = twin.service.tcp(&mut twin.ups, unit, &frame[tcp::HEADER..]);
                        twin.trace.record(
                            sim_s,
                            &link,
                            "rx",
                            &frame,
                            Meaning::Request { unit, request: answer.request.clone() },
                        );
                        let response = answer.response.unwrap_or_default();
                        twin.wire.plan(unit, response, false, |unit, pdu| tcp::encode(transaction, unit, pdu))
                    };
                    if !plan.delay.is_zero() {
                        tokio::time::sleep(plan.delay).await;
                    }
                    let mut out = plan.before;
                    if let Some(reply) = plan.reply {
                        out.extend_from_slice(&reply);
                    }
                    if !out.is_empty() {
                        stream.write_all(&out).await?;
                        let mut guard = twin.lock();
                        let sim_s = guard.ups.time_s();
                        guard.trace.record(sim_s, &link, "tx", &out, Meaning::Reply);
                    }
                }
            }
        }
    }
}
