//! The inventory a supervision system imports: every device of the fleet (not only this
//! shard's) with its address, ports (Modbus TCP, and SNMP where a reference card
//! speaks for it) and identity, as CSV or JSON by the file's extension.

use scenarios::fleet::plan::Device;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
struct Row<'a> {
    name: &'a str,
    address: String,
    modbus_port: u16,
    model: &'a str,
    serial: &'a str,
    mac: String,
    site: &'a str,
    feed: &'a str,
    group: &'a str,
    /// Where its reference card answers SNMP (at `address`); empty: no card.
    snmp_port: Option<u16>,
}

fn row(device: &Device) -> Row<'_> {
    Row {
        name: &device.name,
        address: device.modbus.ip().to_string(),
        modbus_port: device.modbus.port(),
        model: &device.model,
        serial: &device.serial,
        mac: device.mac_text(),
        site: &device.site,
        feed: &device.feed,
        group: &device.group,
        snmp_port: device.snmp.map(|s| s.port()),
    }
}

/// Writes the inventory to `path`: `.json` as an array of objects, anything else as CSV.
pub fn write(path: &Path, devices: &[Device]) -> Result<(), String> {
    let shown = path.display();
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let file = std::fs::File::create(path).map_err(|e| format!("--inventory {shown}: {e}"))?;
    let mut out = std::io::BufWriter::new(file);
    if json {
        let rows: Vec<Row> = devices.iter().map(row).collect();
        serde_json::to_writer_pretty(&mut out, &rows).map_err(|e| format!("--inventory {shown}: {e}"))?;
    } else {
        let mut writer = csv::Writer::from_writer(&mut out);
        for device in devices {
            writer.serialize(row(device)).map_err(|e| format!("--inventory {shown}: {e}"))?;
        }
        writer.flush().map_err(|e| format!("--inventory {shown}: {e}"))?;
    }
    std::io::Write::flush(&mut out).map_err(|e| format!("--inventory {shown}: {e}"))
}
