#!/usr/bin/env bash
# Scenario runner speed: the 24 h benchmark day in `none` mode (wall time and real-time
# factor), the same writing its outputs (trace, HTML report), the whole library with --jobs 1
# and --jobs 2; then the same day co-simulated with the reference card (`--card reference`,
# polling every 2 s over the in-memory RTU line), with and without its outputs (frames.pcap,
# the card's logs), and the library with the reference card.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
cargo build -q --release --bin upstwin
upstwin="$CARGO_TARGET_DIR/release/upstwin"

wall_s() { # command… → wall seconds, the command's output discarded
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

day=$(wall_s "$upstwin" run benches/scenarios/24h-blackout-recharge.ron)
awk -v w="$day" 'BEGIN { printf "24 h scenario: %.2f s wall, real-time factor %.0fx\n", w, 86400 / w }'
out=$(mktemp -d)
day_out=$(wall_s "$upstwin" run benches/scenarios/24h-blackout-recharge.ron --out "$out")
echo "24 h scenario with --out (trace.csv, timeline.txt, report.html): $day_out s wall," \
    "report.html $(($(stat -c %s "$out"/*/report.html) / 1024)) KiB"
rm -rf "$out"
for jobs in 1 2; do
    echo "library, --jobs $jobs: $(wall_s "$upstwin" run scenarios/library --jobs "$jobs") s wall"
done
card_day=$(wall_s "$upstwin" run benches/scenarios/24h-blackout-recharge.ron --card reference)
awk -v w="$card_day" 'BEGIN { printf "24 h scenario with the reference card: %.2f s wall, real-time factor %.0fx (goal <= 10 s)\n", w, 86400 / w }'
card_out=$(mktemp -d)
card_day_out=$(wall_s "$upstwin" run benches/scenarios/24h-blackout-recharge.ron --card reference --out "$card_out")
frames=$(stat -c %s "$card_out"/*/frames.pcap)
history=$(grep -vc '^#' "$card_out"/*/card/history.csv)
echo "24 h with the reference card and --out: $card_day_out s wall; frames.pcap $((frames / 1048576)) MiB," \
    "history log $((history - 1)) records"
rm -rf "$card_out"
for jobs in 1 2; do
    echo "library with the reference card, --jobs $jobs: $(wall_s "$upstwin" run scenarios/library --card reference --jobs "$jobs") s wall"
done
