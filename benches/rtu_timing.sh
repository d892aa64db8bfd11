#!/usr/bin/env bash
# RTU on a pty: request→response time of a 48-word read (8-byte request, 101-byte reply)
# with wire timing emulation at 9600 and 57600 baud, against the time the same exchange
# takes on a real line (characters of 10 bits, the 3.5-character gap, the 2 ms turnaround);
# then without emulation, the bare turnaround. Prints measured, computed and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
seconds="${1:-3}"
cargo build -q --release --bin upstwin --example modbus_load
upstwin="$CARGO_TARGET_DIR/release/upstwin"
client="$CARGO_TARGET_DIR/release/examples/modbus_load"

run() { # baud timing
    "$upstwin" serve --model masterys-gp-60 --pty --baud "$1" --timing "$2" --turnaround-ms 2 > /tmp/upstwin-bench-rtu.log &
    local pid=$!
    until grep -q ready /tmp/upstwin-bench-rtu.log 2>/dev/null; do sleep 0.1; done
    local pty
    pty=$(sed -n 's/.* pty=\([^ ]*\).*/\1/p' /tmp/upstwin-bench-rtu.log)
    "$client" rtu "$pty" 0x1060 48 "$seconds"
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
}

for baud in 9600 57600; do
    measured=$(run "$baud" on | awk '{print $6}')
    awk -v baud="$baud" -v us="$measured" 'BEGIN {
        char = 10 / baud; gap = (baud > 19200) ? 0.00175 : 3.5 * char
        wire = (8 + 101) * char + gap + 0.002
        printf "%5d baud, emulated: median %.0f us, computed %.0f us, ratio %.3f (goal within 5 %%)\n", baud, us, wire * 1e6, us / (wire * 1e6)
    }'
done
echo "no emulation: $(run 9600 off)"
