#!/usr/bin/env bash
# The fleet with a reference card in every UPS (issue 25's `card: Reference` figures):
# `upstwin fleet` (release) with N MASTERYS GP 60, each card polling its twin over Modbus TCP
# at the device's loopback address and answering SNMP there: time to ready and until every
# card has found its UPS, RSS per device, CPU while idle; then for SECONDS every card asked
# for 10 RFC 1628 objects (SNMP) and every device read over Modbus TCP (48 words), each once
# every 10 s (benches/fleet_snmp.py and benches/fleet_poll.py side by side); last, a
# whole-site blackout and the cards' upsTrapOnBattery counted at a trap receiver.
# Usage: bash benches/fleet_cards.sh DEVICES [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:?devices}"
seconds="${2:-60}"
source benches/fleet_setup.sh
trap_port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$dir/card.ron" <<RON
CardConfig(snmp: (trap_receivers: [
    (address: "127.0.0.1:$trap_port", community: "public", kind: Rfc1628, version: V2c, filter: Severity(Information)),
]))
RON
cat > "$dir/fleet.ron" <<RON
Fleet(name: "bench", addresses: Loopback(first: "127.3.0.1", modbus_port: 5031, snmp_port: 1161),
    card_settings: "card.ron",
    sites: [(name: "site", feeds: [(name: "feed")],
        groups: [(name: "ups", feed: "feed", count: $devices, model: "masterys-gp-60", load_pct: (30, 90),
                  card: Reference)])])
RON
started=$(date +%s.%N)
"$upstwin" fleet "$dir/fleet.ron" --control 127.0.0.1:0 --inventory "$dir/inventory.csv" \
    --card-state "$dir/cards" > "$dir/ready" 2> "$dir/stderr" &
pid=$!
for _ in $(seq 6000); do grep -q '^ready' "$dir/ready" 2>/dev/null && break; sleep 0.05; done
grep -q '^ready' "$dir/ready" || { cat "$dir/stderr"; exit 1; }
ready=$(date +%s.%N)
control=$(sed -n 's/.*control=\([^ ]*\).*/\1/p' "$dir/ready")
online() { curl -s -m 30 "$control/api/fleet" | python3 -c 'import json, sys; print(json.load(sys.stdin)["cards"]["online"])'; }
for _ in $(seq 1200); do [ "$(online)" = "$devices" ] && break; sleep 0.5; done
all_online=$(date +%s.%N)
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep 10
idle_from=$(cpu_ticks); sleep 20; idle_to=$(cpu_ticks)
hz=$(getconf CLK_TCK)
echo "fleet of $devices devices with a reference card each: ready in $(echo "$ready - $started" | bc) s," \
    "every card online after $(echo "$all_online - $started" | bc) s ($(online) online);" \
    "idle (cards polling every 2 s): RSS $(( $(rss_kib) / 1024 )) MiB ($(( $(rss_kib) / devices )) KiB per device)," \
    "CPU $(echo "scale=1; 100 * ($idle_to - $idle_from) / $hz / 20" | bc) % of a core," \
    "$(ls "/proc/$pid/fd" | wc -l) open files"
tail -n +2 "$dir/inventory.csv" | awk -F, '{print $2 ":" $3}' > "$dir/modbus"
tail -n +2 "$dir/inventory.csv" | awk -F, '{print $2 ":" $10}' > "$dir/snmp"
python3 benches/fleet_poll.py --pid "$pid" --addresses "$dir/modbus" --seconds "$seconds" --persistent &
modbus=$!
python3 benches/fleet_snmp.py --pid "$pid" --addresses "$dir/snmp" --control "$control" \
    --trap-port "$trap_port" --seconds "$seconds"
wait "$modbus"
lag=$(curl -s -m 60 "$control/metrics" | awk '/^upstwin_fleet_clock_lag_seconds/ {print $2}')
echo "twins' clock behind the wall clock at the end: ${lag:-unknown} s"
