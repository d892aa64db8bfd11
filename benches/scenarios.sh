#!/usr/bin/env bash
# Scenario runner speed in `none` mode: the 24 h benchmark day (wall time and real-time
# factor), the same writing its outputs (trace, HTML report), then the whole library with --jobs 1 and --jobs 2 (wall time of each).
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
