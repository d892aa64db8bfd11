//! Reads a value the card reports, for `reports:` expectations: as a client of the card's
//! own Modbus TCP server, SNMP agent and web server, at the addresses the runner gave it
//! (`UPSTWIN_CARD_MODBUS`, `UPSTWIN_CARD_SNMP`, `UPSTWIN_CARD_HTTP`).

use async_snmp::{Auth, Client, Oid};
use scenarios::format::Read;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_modbus::client::Reader;

/// A read that takes longer counts as nothing read.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Where the card serves what probes read.
#[derive(Debug, Clone, Copy)]
pub struct CardServers {
    pub modbus: SocketAddr,
    pub snmp: SocketAddr,
    pub http: SocketAddr,
}

/// The raw number the card reports (before the expectation's scale), or why there is none.
pub fn read(runtime: &tokio::runtime::Runtime, read: &Read, card: &CardServers) -> Result<f64, String> {
    match read {
        Read::Modbus { address, words, signed, unit } => {
            let registers = runtime.block_on(modbus(card.modbus, *unit, *address, u16::from(*words)))?;
            Ok(modbus_number(&registers, *signed))
        }
        Read::Snmp { oid, community } => runtime.block_on(snmp(card.snmp, oid, community)),
        Read::Http { path, pointer } => http(card.http, path, pointer),
    }
}

async fn modbus(server: SocketAddr, unit: u8, address: u16, count: u16) -> Result<Vec<u16>, String> {
    let work = async {
        let mut context = tokio_modbus::client::tcp::connect_slave(server, tokio_modbus::Slave(unit))
            .await
            .map_err(|e| format!("Modbus TCP {server}: {e}"))?;
        match context.read_holding_registers(address, count).await {
            Ok(Ok(words)) if words.len() == usize::from(count) => Ok(words),
            Ok(Ok(words)) => {
                Err(format!("Modbus 0x{address:04X}: {} words where {count} were asked", words.len()))
            }
            Ok(Err(exception)) => Err(format!("Modbus 0x{address:04X}: exception {exception}")),
            Err(e) => Err(format!("Modbus 0x{address:04X}: {e}")),
        }
    };
    tokio::time::timeout(TIMEOUT, work)
        .await
        .unwrap_or_else(|_| Err(format!("Modbus TCP {server}: no answer in 2 s")))
}

/// One or two registers (high word first) as a number.
fn modbus_number(registers: &[u16], signed: bool) -> f64 {
    match (registers, signed) {
        ([word], false) => f64::from(*word),
        ([word], true) => f64::from(*word as i16),
        ([high, low], false) => f64::from(u32::from(*high) << 16 | u32::from(*low)),
        ([high, low], true) => f64::from((u32::from(*high) << 16 | u32::from(*low)) as i32),
        _ => f64::NAN,
    }
}

async fn snmp(agent: SocketAddr, oid: &str, community: &str) -> Result<f64, String> {
    let oid = Oid::parse(oid.trim_start_matches('.')).map_err(|e| format!("OID {oid}: {e}"))?;
    let client = Client::builder(agent.to_string(), Auth::v2c(community))
        .request_timeout(TIMEOUT)
        .connect()
        .await
        .map_err(|e| format!("SNMP {agent}: {e}"))?;
    let response = client.get(&oid).await.map_err(|e| format!("SNMP GET {oid}: {e}"))?;
    let bound = response.varbinds.first().ok_or_else(|| format!("SNMP GET {oid}: no value"))?;
    bound.value.as_f64().ok_or_else(|| format!("SNMP GET {oid}: {} is not a number", bound.value))
}

fn http(server: SocketAddr, path: &str, pointer: &str) -> Result<f64, String> {
    let url = format!("http://{server}{path}");
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).build().into();
    let body = agent
        .get(&url)
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .map_err(|e| format!("GET {url}: {e}"))?;
    number_in(&body, pointer).map_err(|why| format!("GET {url}: {why}"))
}

/// The number at a JSON pointer of a body, or the whole body as a number.
pub(crate) fn number_in(body: &str, pointer: &str) -> Result<f64, String> {
    if pointer.is_empty() {
        return body.trim().parse().map_err(|_| format!("the body `{}` is not a number", clip(body)));
    }
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e})"))?;
    match json.pointer(pointer) {
        Some(serde_json::Value::Number(number)) => number.as_f64().ok_or_else(|| "not a number".into()),
        Some(serde_json::Value::String(text)) => {
            text.trim().parse().map_err(|_| format!("{pointer} is \"{}\", not a number", clip(text)))
        }
        Some(other) => Err(format!("{pointer} is {}, not a number", clip(&other.to_string()))),
        None => Err(format!("no {pointer} in the body")),
    }
}

fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::{modbus_number, number_in};

    #[test]
    fn registers_become_numbers() {
        assert_eq!(modbus_number(&[0xFFFF], false), 65535.0);
        assert_eq!(modbus_number(&[0xFFFF], true), -1.0);
        assert_eq!(modbus_number(&[0x0001, 0x0002], false), 65538.0);
        assert_eq!(modbus_number(&[0xFFFF, 0xFFFE], true), -2.0);
    }

    #[test]
    fn finds_numbers_in_bodies() {
        let body = r#"{"battery": {"charge_pct": 87, "voltage": "405.2"}}"#;
        assert_eq!(number_in(body, "/battery/charge_pct"), Ok(87.0));
        assert_eq!(number_in(body, "/battery/voltage"), Ok(405.2));
        assert!(number_in(body, "/battery").unwrap_err().contains("not a number"));
        assert!(number_in(body, "/output").unwrap_err().contains("no /output"));
        assert_eq!(number_in(" 42\n", ""), Ok(42.0));
        assert!(number_in("<html>", "/a").unwrap_err().contains("not JSON"));
    }
}
