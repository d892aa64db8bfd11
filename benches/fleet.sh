#!/usr/bin/env bash
# The fleet at scale (issue 25's figures): `upstwin fleet` (release) with N devices of one
# model (MASTERYS GP 60, `card: none`), each at its own loopback address: time to ready, RSS
# per device, CPU while idle, then every device read once every 10 s for SECONDS by
# benches/fleet_poll.py (Python asyncio): reads answered, timeouts, p50/p99 latency, CPU;
# last, how far the twins' clock is behind the wall clock (/metrics).
# Usage: bash benches/fleet.sh DEVICES [SECONDS] [Each|Shared] [persistent|short]
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:?devices}"
seconds="${2:-60}"
listen="${3:-Each}"
connections="${4:-persistent}"
source benches/fleet_setup.sh

cat > "$dir/fleet.ron" <<RON
Fleet(name: "bench", addresses: Loopback(first: "127.2.0.1", modbus_port: 5030, listen: $listen),
    sites: [(name: "site", feeds: [(name: "feed")],
        groups: [(name: "ups", feed: "feed", count: $devices, model: "masterys-gp-60", load_pct: (30, 90))])])
RON
started=$(date +%s.%N)
"$upstwin" fleet "$dir/fleet.ron" --control 127.0.0.1:0 --inventory "$dir/inventory.csv" > "$dir/ready" 2> "$dir/stderr" &
pid=$!
for _ in $(seq 6000); do grep -q '^ready' "$dir/ready" 2>/dev/null && break; sleep 0.05; done
grep -q '^ready' "$dir/ready" || { cat "$dir/stderr"; exit 1; }
ready=$(date +%s.%N)
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep 10
idle_from=$(cpu_ticks); sleep 20; idle_to=$(cpu_ticks)
hz=$(getconf CLK_TCK)
echo "fleet of $devices devices (listen: $listen): ready in $(echo "$ready - $started" | bc) s;" \
    "idle: RSS $(( $(rss_kib) / 1024 )) MiB ($(( $(rss_kib) / devices )) KiB per device)," \
    "CPU $(echo "scale=1; 100 * ($idle_to - $idle_from) / $hz / 20" | bc) % of a core"
tail -n +2 "$dir/inventory.csv" | awk -F, '{print $2 ":" $3}' > "$dir/addresses"
flag=""; [ "$connections" = persistent ] && flag="--persistent"
python3 benches/fleet_poll.py --pid "$pid" --addresses "$dir/addresses" --seconds "$seconds" $flag
# Whether the twins kept up with the wall clock (a fleet too large for its cores runs slow).
control=$(sed -n 's/.*control=\([^ ]*\).*/\1/p' "$dir/ready")
lag=$(curl -s -m 60 "$control/metrics" | awk '/^upstwin_fleet_clock_lag_seconds/ {print $2}')
echo "twins' clock behind the wall clock at the end: ${lag:-unknown} s"
