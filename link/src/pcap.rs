//! The frame trace as a pcap file Wireshark opens with its Modbus/TCP dissector: every frame
//! becomes a TCP segment between a "card" (10.0.0.2) and the "UPS" (10.0.0.1:502). RTU
//! frames are shown as Modbus/TCP with the slave id as unit id; their CRC (checked on
//! arrival) is left out, and bytes that are no frame (garbage) are kept in the CSV only.

use etherparse::PacketBuilder;
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use sim::modbus::rtu;
use std::time::Duration;

const CARD_IP: [u8; 4] = [10, 0, 0, 2];
const UPS_IP: [u8; 4] = [10, 0, 0, 1];
const CARD_PORT: u16 = 50_000;
const MODBUS_PORT: u16 = 502;

#[derive(Debug)]
pub struct Pcap {
    /// Unbuffered: each frame is on disk as soon as it is written.
    writer: PcapWriter<std::fs::File>,
    /// TCP sequence numbers card→UPS and UPS→card.
    sequence: [u32; 2],
    transaction: u16,
}

impl Pcap {
    pub fn new(file: std::fs::File) -> Result<Self, pcap_file::PcapError> {
        let header = PcapHeader { datalink: DataLink::ETHERNET, ..PcapHeader::default() };
        let writer = PcapWriter::with_header(file, header)?;
        Ok(Self { writer, sequence: [1, 1], transaction: 0 })
    }

    /// Adds one frame; `rtu` says the bytes are an RTU frame rather than Modbus/TCP.
    pub fn frame(&mut self, wall: Duration, to_ups: bool, rtu: bool, bytes: &[u8]) -> std::io::Result<()> {
        let payload = if rtu {
            let Some((slave, pdu)) = rtu::decode_response(bytes) else {
                return Ok(()); // not a whole frame: nothing Wireshark could decode
            };
            if to_ups {
                self.transaction = self.transaction.wrapping_add(1);
            }
            sim::modbus::tcp::encode(self.transaction, slave, pdu)
        } else {
            bytes.to_vec()
        };
        let direction = usize::from(!to_ups);
        let (src, dst, src_port, dst_port) = if to_ups {
            (CARD_IP, UPS_IP, CARD_PORT, MODBUS_PORT)
        } else {
            (UPS_IP, CARD_IP, MODBUS_PORT, CARD_PORT)
        };
        let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 2], [2, 0, 0, 0, 0, 1])
            .ipv4(src, dst, 64)
            .tcp(src_port, dst_port, self.sequence[direction], 65_535)
            .psh()
            .ack(self.sequence[1 - direction]);
        let mut packet = Vec::with_capacity(builder.size(payload.len()));
        builder.write(&mut packet, &payload).map_err(std::io::Error::other)?;
        self.sequence[direction] = self.sequence[direction].wrapping_add(payload.len() as u32);
        let record = PcapPacket::new(wall, packet.len() as u32, &packet);
        self.writer.write_packet(&record).map_err(std::io::Error::other)?;
        Ok(())
    }
}
