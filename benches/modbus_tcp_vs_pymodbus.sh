#!/usr/bin/env bash
# Modbus TCP read of 48 words (0x1060), one request in flight per connection, SECONDS at
# 1, 8 and 64 connections: upstwin serve vs a pymodbus server, measured with the same
# client (examples/modbus_load.rs, a thread per connection) in one run. Prints both rates
# and their ratio. Installs pymodbus in a venv on first use.
# Usage: bash benches/modbus_tcp_vs_pymodbus.sh [SECONDS] [CONNECTIONS...]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
seconds="${1:-3}"
shift || true
counts=("${@:-1 8 64}")
read -r -a counts <<< "${counts[*]}"
venv="${UPSTWIN_BENCH_VENV:-$HOME/.cache/upstwin-bench-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pymodbus" 2>/dev/null || "$venv/bin/pip" install -q pymodbus
cargo build -q --release --bin upstwin --example modbus_load
upstwin="$CARGO_TARGET_DIR/release/upstwin"
client="$CARGO_TARGET_DIR/release/examples/modbus_load"

"$upstwin" serve --model masterys-gp-60 --tcp 127.0.0.1:15020 > /tmp/upstwin-bench-serve.log &
twin=$!
"$venv/bin/python" benches/peers/pymodbus_server.py 15021 > /tmp/upstwin-bench-pymodbus.log 2>&1 &
peer=$!
trap 'kill -INT $twin 2>/dev/null; kill $peer 2>/dev/null; wait 2>/dev/null' EXIT
until grep -q ready /tmp/upstwin-bench-serve.log 2>/dev/null && grep -q ready /tmp/upstwin-bench-pymodbus.log 2>/dev/null; do sleep 0.1; done
sleep 0.5

for connections in "${counts[@]}"; do
    ours=$("$client" tcp 127.0.0.1:15020 0x1060 48 "$seconds" "$connections")
    theirs=$("$client" tcp 127.0.0.1:15021 0x1060 48 "$seconds" "$connections")
    echo "$connections connections: upstwin  $ours"
    echo "$connections connections: pymodbus $theirs"
    awk -v n="$connections" -v a="$(echo "$ours" | awk '{print $4}')" -v b="$(echo "$theirs" | awk '{print $4}')" \
        'BEGIN { printf "%s connections: ratio upstwin/pymodbus %.1fx (goal >= 10x at 64)\n", n, a / b }'
done
