#!/usr/bin/env bash
# The reference card's poll cycle over a pty with wire timing emulated by the twin, at 9600
# and 57600 baud, against the least time the serial line allows for the same reads (the
# card's `wire_minimum_s`: characters of 10 bits and the RTU frame gaps, no turnaround). The
# card polls back to back (polling 0.02 s); the median of the last cycle times it reports
# over the run is compared with that minimum. Usage: bash benches/card_poll.sh [SECONDS] [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
seconds="${1:-10}"
model="${2:-masterys-gp-60}"
cargo build -q --release --bin upstwin
upstwin="$CARGO_TARGET_DIR/release/upstwin"
dir=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

wait_for() { # file text
    for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no \`$2\` in $1:" >&2; cat "$1" >&2; exit 1
}

field() { # json name → number
    sed -n "s/.*\"$2\":\([0-9.e-]*\).*/\1/p" <<< "$1"
}

# The card's API wants a login: an administrator password provisioned for the run.
password="BenchPoll#${RANDOM}Card1"
printf '%s\n' "$password" > "$dir/admin-password"

for baud in 9600 57600; do
    "$upstwin" serve --model "$model" --pty --link "$dir/tty$baud" --baud "$baud" --timing on \
        --turnaround-ms 2 > "$dir/serve$baud.log" 2>&1 &
    pids+=($!)
    wait_for "$dir/serve$baud.log" ready
    "$upstwin" card --port "$dir/tty$baud" --baud "$baud" --polling-s 0.02 --http 127.0.0.1:0 \
        --state-dir "$dir/card$baud" --admin-password-file "$dir/admin-password" > "$dir/card$baud.log" 2>&1 &
    pids+=($!)
    wait_for "$dir/card$baud.log" ready
    api=$(sed -n 's/.*API \(http[^ ]*\).*/\1/p' "$dir/card$baud.log")
    cycles=()
    minimum="" requests="" words=""
    end=$((SECONDS + seconds))
    while [ "$SECONDS" -lt "$end" ]; do
        status=$(curl -sf -u "admin:$password" "$api") || { echo "cannot read $api" >&2; exit 1; }
        poll=$(sed -n 's/.*"poll":{\([^}]*\)}.*/\1/p' <<< "$status")
        cycle=$(field "$poll" last_cycle_s)
        [ -n "$cycle" ] && cycles+=("$cycle") # null until the first whole cycle
        minimum=$(field "$poll" wire_minimum_s)
        requests=$(field "$poll" requests)
        words=$(field "$poll" words)
        sleep 0.2
    done
    median=$(printf '%s\n' "${cycles[@]}" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
    awk -v baud="$baud" -v m="$median" -v w="$minimum" -v r="$requests" -v n="$words" -v k="${#cycles[@]}" 'BEGIN {
        printf "%5d baud: %d reads, %d words a cycle; median cycle %.1f ms over %d samples, wire minimum %.1f ms, ratio %.3f\n", baud, r, n, m * 1000, k, w * 1000, m / w
    }'
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    pids=()
done
