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

cat > "$dir/fleet.ron" <<RON
Fleet(name: "bench", addresses: Loopback(first: "127.2.0.1", modbus_port: 5030, listen: Shared),
    sites: [(name: "site", feeds: [(name: "feed-a"), (name: "feed-b")],
        groups: [
            (name: "a", feed: "feed-a", count: $((devices / 2)), model: "masterys-gp-60", load_pct: (30, 90)),
            (name: "b", feed: "feed-b", count: $((devices - devices / 2)), model: "masterys-gp-60", load_pct: (30, 90)),
        ])])
RON
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
