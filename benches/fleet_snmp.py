#!/usr/bin/env python3
"""The SNMP side of benches/fleet_cards.sh: every reference card of a fleet asked for 10
RFC 1628 objects (one SNMP v2c GET) once every PERIOD seconds, the requests spread evenly;
then a whole-site blackout through the fleet's control API, and the cards' upsTrapOnBattery
counted as they arrive at a trap receiver this script runs. Standard library only (asyncio;
the few BER shapes needed are encoded here, no SNMP library being installed on these
machines). Prints: GETs answered, timeouts, p50/p99/max latency; traps: devices heard from,
missing, and the spread of their arrival after the blackout."""

import argparse
import asyncio
import json
import random
import time
import urllib.request

from process_stats import cpu_s, rss_mib

TIMEOUT_S = 5.0
# upsIdentName, upsBatteryStatus, upsSecondsOnBattery, upsEstimatedMinutesRemaining,
# upsEstimatedChargeRemaining, upsBatteryVoltage, upsInputNumLines, upsOutputSource,
# upsOutputFrequency, upsOutputNumLines.
OBJECTS = [
    "1.3.6.1.2.1.33.1.1.5.0", "1.3.6.1.2.1.33.1.2.1.0", "1.3.6.1.2.1.33.1.2.2.0",
    "1.3.6.1.2.1.33.1.2.3.0", "1.3.6.1.2.1.33.1.2.4.0", "1.3.6.1.2.1.33.1.2.5.0",
    "1.3.6.1.2.1.33.1.3.2.0", "1.3.6.1.2.1.33.1.4.1.0", "1.3.6.1.2.1.33.1.4.2.0",
    "1.3.6.1.2.1.33.1.4.3.0",
]


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + body


def integer(value):
    return tlv(0x02, value.to_bytes(4, "big", signed=True))


def oid(text):
    arcs = [int(a) for a in text.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def get_request(request_id):
    varbinds = b"".join(tlv(0x30, oid(o) + b"\x05\x00") for o in OBJECTS)
    pdu = tlv(0xA0, integer(request_id) + integer(0) + integer(0) + tlv(0x30, varbinds))
    return tlv(0x30, integer(1) + tlv(0x04, b"public") + pdu)


def read_tlv(data, at):
    """(tag, body start, body end) of the TLV at `at`."""
    tag, first = data[at], data[at + 1]
    if first < 0x80:
        return tag, at + 2, at + 2 + first
    count = first & 0x7F
    length = int.from_bytes(data[at + 2 : at + 2 + count], "big")
    return tag, at + 2 + count, at + 2 + count + length


def response_id(data):
    """The request id of a GetResponse without error; else None. (An object the UPS does
    not report now, upsEstimatedMinutesRemaining on mains, comes back noSuchInstance: still
    an answer.)"""
    _, at, _ = read_tlv(data, 0)
    for _ in range(2):  # version, community
        _, _, at = read_tlv(data, at)
    tag, at, _ = read_tlv(data, at)
    if tag != 0xA2:
        return None
    _, start, end = read_tlv(data, at)
    request_id = int.from_bytes(data[start:end], "big", signed=True)
    _, start, end = read_tlv(data, end)
    return request_id if int.from_bytes(data[start:end], "big") == 0 else None


ON_BATTERY = oid("1.3.6.1.2.1.33.2.1")


class Traps(asyncio.DatagramProtocol):
    """Every trap's source and arrival, and which carried upsTrapOnBattery."""

    def __init__(self):
        self.on_battery = {}

    def datagram_received(self, data, source):
        if ON_BATTERY in data:
            self.on_battery.setdefault(source[0], []).append(time.monotonic())


class Poller(asyncio.DatagramProtocol):
    def __init__(self):
        self.waiting = {}

    def datagram_received(self, data, source):
        try:
            request_id = response_id(data)
        except (IndexError, ValueError):
            return
        future = self.waiting.pop(request_id, None)
        if future is not None and not future.done():
            future.set_result(time.monotonic())


async def poll(addresses, seconds, period_s):
    loop = asyncio.get_running_loop()
    transport, poller = await loop.create_datagram_endpoint(Poller, local_addr=("127.0.0.1", 0))
    latencies, timeouts = [], 0
    next_id = random.randrange(1 << 20)
    started = time.monotonic()
    until = started + seconds
    spacing = period_s / len(addresses)
    pending = []

    async def one(address, request_id):
        nonlocal timeouts
        future = loop.create_future()
        poller.waiting[request_id] = future
        sent = time.monotonic()
        transport.sendto(get_request(request_id), address)
        try:
            answered = await asyncio.wait_for(future, TIMEOUT_S)
            latencies.append(answered - sent)
        except asyncio.TimeoutError:
            poller.waiting.pop(request_id, None)
            timeouts += 1

    turn = 0
    while True:
        at = started + turn * spacing
        if at >= until:
            break
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        next_id = (next_id + 1) % (1 << 31)
        pending.append(asyncio.ensure_future(one(addresses[turn % len(addresses)], next_id)))
        turn += 1
    await asyncio.gather(*pending)
    transport.close()
    return latencies, timeouts


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--addresses", required=True, help="a file of HOST:PORT lines (the cards' SNMP)")
    parser.add_argument("--control", required=True)
    parser.add_argument("--trap-port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--period", type=float, default=10)
    args = parser.parse_args()
    addresses = []
    for line in open(args.addresses):
        host, port = line.strip().rsplit(":", 1)
        addresses.append((host, int(port)))
    loop = asyncio.get_running_loop()
    _, traps = await loop.create_datagram_endpoint(Traps, local_addr=("127.0.0.1", args.trap_port))

    cpu_from, wall_from = cpu_s(args.pid), time.monotonic()
    latencies, timeouts = await poll(addresses, args.seconds, args.period)
    cpu = 100 * (cpu_s(args.pid) - cpu_from) / (time.monotonic() - wall_from)
    latencies.sort()
    pick = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    print(
        f"SNMP GET of {len(OBJECTS)} RFC 1628 objects from each of {len(addresses)} cards every {args.period:g} s "
        f"for {args.seconds:g} s: {len(latencies)} answered, {timeouts} timeouts; latency p50 {pick(0.5):.2f} ms, "
        f"p99 {pick(0.99):.2f} ms, max {pick(1.0):.2f} ms; fleet CPU {cpu:.1f} % of a core "
        f"(with the Modbus load beside it), RSS {rss_mib(args.pid):.0f} MiB"
    )

    body = json.dumps({"name": "mains_blackout", "all": True}).encode()
    request = urllib.request.Request(args.control + "/api/fleet/faults", data=body, method="POST")
    blackout_at = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as answer:
        devices = json.loads(answer.read())["devices"]
    await asyncio.sleep(30)
    heard = traps.on_battery
    firsts = sorted(times[0] for times in heard.values())
    twice = sum(1 for times in heard.values() if len(times) > 1)
    spread = f"first {1000 * (firsts[0] - blackout_at):.0f} ms, last {1000 * (firsts[-1] - blackout_at):.0f} ms after the blackout" if firsts else "none"
    print(
        f"whole-site blackout of {devices} devices: upsTrapOnBattery from {len(heard)} cards, "
        f"{len(addresses) - len(heard)} missing, {twice} sent twice; {spread}"
    )


asyncio.run(main())
