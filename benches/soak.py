#!/usr/bin/env python3
"""The load of benches/soak.sh: well-behaved clients measured, abusive ones only run.

Standard library only (asyncio). Prints one report: per well-behaved kind, requests
answered, failures and latency percentiles; RSS of the twin and the card at the start and
the end; log records lost (the card's API against its files)."""

import argparse
import asyncio
import base64
import csv
import json
import os
import random
import ssl
import struct
import time
import urllib.request


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def split(address):
    host, port = address.rsplit(":", 1)
    return host, int(port)


class Tally:
    def __init__(self):
        self.answered = 0
        self.failures = 0
        self.failure_kinds = {}
        self.latencies_s = []

    def ok(self, latency_s):
        self.answered += 1
        self.latencies_s.append(latency_s)

    def failed(self, why):
        self.failures += 1
        self.failure_kinds[why] = self.failure_kinds.get(why, 0) + 1

    def line(self, name):
        ordered = sorted(self.latencies_s) or [0.0]
        pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
        kinds = ", ".join(f"{k}: {n}" for k, n in self.failure_kinds.items()) or "none"
        return (f"{name}: {self.answered} answered, {self.failures} failures ({kinds}); "
                f"latency p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {ordered[-1] * 1000:.1f} ms")


READ = bytes([3, 0x10, 0x60, 0, 48])


async def modbus_client(address, until, tally, period_s):
    host, port = split(address)
    transaction = 0
    reader = writer = None
    while time.monotonic() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            transaction = (transaction + 1) % 65536
            frame = struct.pack(">HHHB", transaction, 0, len(READ) + 1, 1) + READ
            started = time.monotonic()
            writer.write(frame)
            header = await asyncio.wait_for(reader.readexactly(7), 2.0)
            length = struct.unpack(">H", header[4:6])[0]
            body = await asyncio.wait_for(reader.readexactly(length - 1), 2.0)
            if struct.unpack(">H", header[:2])[0] != transaction or body[:2] != bytes([3, 96]):
                tally.failed("wrong answer")
            else:
                tally.ok(time.monotonic() - started)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
            tally.failed(type(e).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
        await asyncio.sleep(period_s)
    if writer is not None:
        writer.close()


async def idle_connections(address, until, count, held):
    host, port = split(address)

    async def one():
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection(host, port)
                held[0] += 1
                try:
                    await asyncio.wait_for(reader.read(1), max(0.1, until - time.monotonic()))
                except asyncio.TimeoutError:
                    pass
                held[0] -= 1
                writer.close()
            except OSError:
                await asyncio.sleep(1.0)

    await asyncio.gather(*(one() for _ in range(count)))


async def garbage(address, until):
    host, port = split(address)
    while time.monotonic() < until:
        try:
            _, writer = await asyncio.open_connection(host, port)
            while time.monotonic() < until:
                writer.write(random.randbytes(256))
                await writer.drain()
                await asyncio.sleep(0.01)
        except OSError:
            await asyncio.sleep(0.1)


async def byte_a_second(address, until):
    host, port = split(address)
    frame = struct.pack(">HHHB", 1, 0, len(READ) + 1, 1) + READ
    while time.monotonic() < until:
        try:
            _, writer = await asyncio.open_connection(host, port)
            for byte in frame:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(1.0)
            writer.close()
        except OSError:
            await asyncio.sleep(1.0)


def tls():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def https_client(address, until, tally, authorization, period_s):
    host, port = split(address)
    request = (f"GET /api/status HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n\r\n").encode()
    reader = writer = None
    while time.monotonic() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls()), 10.0)
            started = time.monotonic()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
            status = head.split(b" ", 2)[1]
            length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
            await asyncio.wait_for(reader.readexactly(length), 10.0)
            if status == b"200":
                tally.ok(time.monotonic() - started)
            else:
                tally.failed(f"HTTP {status.decode()}")
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError, StopIteration, ssl.SSLError) as e:
            tally.failed(type(e).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
        await asyncio.sleep(period_s)


async def slowloris(address, until, count):
    host, port = split(address)

    async def one():
        while time.monotonic() < until:
            try:
                _, writer = await asyncio.open_connection(host, port, ssl=tls())
                writer.write(b"GET /api/status HTTP/1.1\r\n")
                for n in range(1000):
                    await asyncio.sleep(5.0)
                    writer.write(f"X-Slow-{n}: {n}\r\n".encode())
                    await writer.drain()
                    if time.monotonic() > until:
                        break
            except (OSError, ssl.SSLError):
                await asyncio.sleep(0.5)

    await asyncio.gather(*(one() for _ in range(count)))


# SNMP v2c GET sysName.0, community "public".
SNMP_GET = bytes.fromhex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010105000500")


async def snmp_flood(address, until, sent):
    host, port = split(address)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=(host, port))
    while time.monotonic() < until:
        for _ in range(50):
            transport.sendto(SNMP_GET)
            sent[0] += 1
        await asyncio.sleep(0.01)
    transport.close()


async def agents_flood(address, until, tried):
    host, port = split(address)

    async def one():
        while time.monotonic() < until:
            try:
                reader, writer = await asyncio.open_connection(host, port)
                hello = {"type": "hello", "protocol": "upstwin-shutdown", "version": 2, "name": "stranger\nINJECTED", "nonce": "00"}
                writer.write((json.dumps(hello) + "\n").encode())
                await asyncio.wait_for(reader.read(4096), 5.0)
                writer.close()
                tried[0] += 1
            except (OSError, asyncio.TimeoutError):
                await asyncio.sleep(0.05)

    await asyncio.gather(*(one() for _ in range(20)))


def api_get(api, path, authorization):
    request = urllib.request.Request(f"http://{api}{path}", headers={"Authorization": authorization})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def records_on_disk(state, name):
    """The records of a log's file (after its header line and its column line)."""
    with open(os.path.join(state, f"{name}.csv"), encoding="utf-8", newline="") as log:
        rows = list(csv.reader(log))
    return {tuple(row) for row in rows[2:]}


def lost_records(api, state, name, authorization):
    """How many records the card's API holds that its file does not."""
    held = api_get(api, f"/api/logs/{name}", authorization)["records"]
    on_disk = records_on_disk(state, name)
    return len(held), sum(1 for record in held if tuple(str(v) for v in record) not in on_disk)


async def main():
    parser = argparse.ArgumentParser()
    for name in ["seconds", "twin-pid", "card-pid"]:
        parser.add_argument(f"--{name}", type=int, required=True)
    for name in ["modbus", "control", "https", "api", "snmp", "agents", "password", "state"]:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    authorization = "Basic " + base64.b64encode(f"admin:{args.password}".encode()).decode()
    rss_start = (rss_kib(args.twin_pid), rss_kib(args.card_pid))
    until = time.monotonic() + args.seconds
    modbus, https = Tally(), Tally()
    held, snmp_sent, agents_tried = [0], [0], [0]
    load = [
        *(modbus_client(args.modbus, until, modbus, 0.05) for _ in range(64)),
        idle_connections(args.modbus, until, 2000, held),
        garbage(args.modbus, until),
        byte_a_second(args.modbus, until),
        *(https_client(args.https, until, https, authorization, 0.5) for _ in range(200)),
        slowloris(args.https, until, 20),
        snmp_flood(args.snmp, until, snmp_sent),
        agents_flood(args.agents, until, agents_tried),
    ]

    async def progress():
        while time.monotonic() < until:
            await asyncio.sleep(60)
            left = max(0, until - time.monotonic())
            print(f"soak: {left:.0f} s left; Modbus {modbus.answered} answered / {modbus.failures} failed, "
                  f"HTTPS {https.answered} / {https.failures}, idle connections held {held[0]}, "
                  f"RSS twin {rss_kib(args.twin_pid)} KiB, card {rss_kib(args.card_pid)} KiB", flush=True)

    await asyncio.gather(*load, progress())
    rss_end = (rss_kib(args.twin_pid), rss_kib(args.card_pid))
    await asyncio.sleep(2)  # the log writer's last batch
    names = [log["name"] for log in api_get(args.api, "/api/logs", authorization)]
    counted = {name: lost_records(args.api, args.state, name, authorization) for name in names}
    logs = {name: held for name, (held, _) in counted.items()}
    lost = {name: missing for name, (_, missing) in counted.items()}
    print(f"soak: {args.seconds} s")
    print(modbus.line("twin Modbus TCP, 64 clients at 20 requests/s"))
    print(https.line("card HTTPS /api/status, 200 connections at 2 requests/s"))
    print(f"abuse: idle Modbus connections held at the end {held[0]} of 2000; SNMP GETs sent {snmp_sent[0]}; "
          f"strangers on the agents' port {agents_tried[0]}")
    print(f"RSS twin {rss_start[0]} KiB -> {rss_end[0]} KiB; card {rss_start[1]} KiB -> {rss_end[1]} KiB")
    print(f"log records in the card's API: {logs}; lost (API minus file): {lost}")


asyncio.run(main())
