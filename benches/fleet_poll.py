#!/usr/bin/env python3
"""The load of benches/fleet.sh: every device of a fleet read once every PERIOD seconds
(Modbus TCP, 0x1060 x48, unit 1), the reads spread evenly over the period. Persistent
connections (one per device) when --persistent, else a new connection per read (for fleets
larger than the open-file limit). Standard library only (asyncio). Prints one line: reads
answered, timeouts and other failures, latency p50/p99/max, and the fleet process's CPU
(% of one core) and RSS over the run."""

import argparse
import asyncio
import struct
import time

from process_stats import cpu_s, rss_mib

READ = bytes([3, 0x10, 0x60, 0, 48])
TIMEOUT_S = 5.0


class Tally:
    def __init__(self):
        self.latencies_s = []
        self.failures = {}

    def failed(self, why):
        self.failures[why] = self.failures.get(why, 0) + 1


async def read_once(reader, writer, transaction):
    frame = struct.pack(">HHHB", transaction, 0, len(READ) + 1, 1) + READ
    writer.write(frame)
    header = await reader.readexactly(7)
    length = struct.unpack(">H", header[4:6])[0]
    body = await reader.readexactly(length - 1)
    if struct.unpack(">H", header[:2])[0] != transaction or body[:2] != bytes([3, 96]):
        raise ValueError("wrong answer")


async def device(host, port, offset_s, period_s, until, persistent, tally):
    await asyncio.sleep(offset_s)
    reader = writer = None
    transaction = 0
    next_at = time.monotonic()
    while next_at < until:
        transaction = (transaction + 1) % 65536
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT_S)
            await asyncio.wait_for(read_once(reader, writer, transaction), TIMEOUT_S)
            tally.latencies_s.append(time.monotonic() - started)
        except asyncio.TimeoutError:
            tally.failed("timeout")
            writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            tally.failed(type(e).__name__)
            writer = None
        if not persistent and writer is not None:
            writer.close()
            writer = None
        next_at += period_s
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if writer is not None:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--addresses", required=True, help="file: one HOST:PORT per line")
    parser.add_argument("--period", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--persistent", action="store_true")
    args = parser.parse_args()
    with open(args.addresses) as lines:
        targets = [line.strip().rsplit(":", 1) for line in lines if line.strip()]
    tally = Tally()
    cpu_before, wall_before, rss_before = cpu_s(args.pid), time.monotonic(), rss_mib(args.pid)
    until = time.monotonic() + args.seconds
    spread = args.period / max(1, len(targets))
    await asyncio.gather(*(device(host, int(port), i * spread, args.period, until, args.persistent, tally)
                           for i, (host, port) in enumerate(targets)))
    cpu_pct = 100 * (cpu_s(args.pid) - cpu_before) / (time.monotonic() - wall_before)
    ordered = sorted(tally.latencies_s) or [0.0]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    failures = ", ".join(f"{k} {n}" for k, n in sorted(tally.failures.items())) or "none"
    print(f"polled {len(targets)} devices every {args.period:g} s for {args.seconds:g} s: "
          f"{len(tally.latencies_s)} reads answered, failures: {failures}; "
          f"latency p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {ordered[-1] * 1000:.1f} ms; "
          f"fleet CPU {cpu_pct:.0f} % of a core, RSS {rss_before:.0f} -> {rss_mib(args.pid):.0f} MiB")


asyncio.run(main())
