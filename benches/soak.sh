#!/usr/bin/env bash
# Soak and abuse: for a bounded time (default 600 s) the twin's Modbus TCP server under 64
# well-behaved clients polling 0x1060 ×48 twenty times a second each, 2 000 idle
# connections (re-opened when closed), one client sending garbage and one sending a request
# a byte a second; and the reference card, polling that twin, under 200 HTTPS connections
# reading /api/status twice a second each, a slowloris client (20 connections sending a
# header line every 5 s), an SNMP flood (GETs as fast as one socket sends) and a flood of
# strangers on the shutdown agents' port. The load is benches/soak.py (Python's asyncio,
# standard library only). It prints, for the well-behaved clients, requests answered,
# failures (goal 0) and p99 latency; the twin's and the card's RSS at the start and the end
# (goal: flat); and log records lost (goal 0): what the card's API holds against what its
# files hold. Usage: bash benches/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
seconds="${1:-600}"
cargo build -q --release --bin upstwin
upstwin="$CARGO_TARGET_DIR/release/upstwin"
dir=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# 2 000 idle connections and 200 HTTPS ones need more descriptors than the usual 1 024.
ulimit -n 16384

wait_for() { # file text
    for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no \`$2\` in $1:" >&2; cat "$1" >&2; exit 1
}

password="Soak#${RANDOM}Bench1"
printf '%s\n' "$password" > "$dir/admin-password"
secret="soak-secret-${RANDOM}-agents"
mkdir -p "$dir/card"
cat > "$dir/card/card.ron" <<RON
CardConfig(synchronize_ups_clock: false, history_interval_s: 1.0,
    shutdown: (agents: (enabled: true, secret: "$secret")))
RON

"$upstwin" serve --model masterys-gp-60 --tcp 127.0.0.1:0 --control 127.0.0.1:0 --tcp-max-clients 4096 \
    > "$dir/serve.log" 2>"$dir/serve.err" &
pids+=($!)
twin_pid=$!
wait_for "$dir/serve.log" ready
tcp=$(sed -n 's/.*tcp=\([^ ]*\).*/\1/p' "$dir/serve.log")
control=$(sed -n 's/.*control=\([^ ]*\).*/\1/p' "$dir/serve.log")
"$upstwin" card --tcp "$tcp" --http 127.0.0.1:0 --https 127.0.0.1:0 --snmp 127.0.0.1:0 \
    --agents 127.0.0.1:0 --state-dir "$dir/card" --admin-password-file "$dir/admin-password" \
    > "$dir/card.log" 2>"$dir/card.err" &
pids+=($!)
card_pid=$!
wait_for "$dir/card.log" ready
https=$(sed -n 's/.*HTTPS https:\/\/\([^/]*\)\/.*/\1/p' "$dir/card.log")
api=$(sed -n 's/.*API http:\/\/\([^/]*\)\/.*/\1/p' "$dir/card.log")
snmp=$(sed -n 's/.*SNMP \([^ ,]*\).*/\1/p' "$dir/card.log")
agents=$(sed -n 's/.*shutdown agents \([^ ,]*\).*/\1/p' "$dir/card.log")

python3 benches/soak.py --seconds "$seconds" --twin-pid "$twin_pid" --card-pid "$card_pid" \
    --modbus "$tcp" --control "$control" --https "$https" --api "$api" --snmp "$snmp" \
    --agents "$agents" --password "$password" --state "$dir/card"
echo "twin stderr: $(wc -l < "$dir/serve.err") lines; card stderr: $(wc -l < "$dir/card.err") lines"
