#!/usr/bin/env bash
# The fleet window at scale: `upstwin fleet FILE --window` (release) with DEVICES devices of
# one model (`card: none`, sockets shared) under Xvfb at 1280 × 800 with Mesa's software
# Vulkan, for SECONDS; prints the frame time the window measured (median, 99th percentile,
# the start-up second left out), how many whole sweeps the tiles' reader made (each reads
# every twin's truth) and how many tiles were in view.
# Usage: bash benches/fleet_window.sh DEVICES [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:?devices}"
seconds="${2:-30}"
source benches/fleet_setup.sh

two_feed_fleet "$devices" > "$dir/fleet.ron"
XDG_RUNTIME_DIR="$dir" xvfb-run -a -s "-screen 0 1280x800x24" \
    "$upstwin" fleet "$dir/fleet.ron" --window --control 127.0.0.1:0 \
    --screenshot "$dir/window.png" --screenshot-after-s "$seconds" >/dev/null 2>"$dir/stderr" \
    || { cat "$dir/stderr" >&2; exit 1; }
python3 - "$dir/window.json" "$devices" <<'PY'
import json, sys
shot, devices = json.load(open(sys.argv[1])), int(sys.argv[2])
median, p99 = shot["frame_ms_median"], shot["frame_ms_p99"]
fleet = shot["fleet"]
print(f"fleet window, {devices} devices: {shot['frames']} frames measured")
print(f"frame time median: {median:.1f} ms ({1000 / median:.1f} fps)")
print(f"frame time p99:    {p99:.1f} ms")
print(f"tiles in view: {len(fleet['tiles'])}; whole sweeps of the tiles' reader: {fleet['sweeps']}")
print(f"counts: {fleet['counts']}")
PY
