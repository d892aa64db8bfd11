#!/usr/bin/env bash
# A fleet scenario at scale: `upstwin run` (release, --card none) on a fleet of DEVICES
# MASTERYS GP 60 on two feeds, 5 minutes of virtual time at 100 ms: feed A fails at 60 s
# and returns at 4 min; every UPS of feed A must be on battery within 200 ms and back on
# its inverter within 30 s of the return, and no UPS of feed B may ever be on battery.
# Prints the wall time, the twin-seconds per wall second and the peak RSS.
# Usage: bash benches/fleet_scenario.sh DEVICES
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:?devices}"
source benches/fleet_setup.sh

two_feed_fleet "$devices" > "$dir/fleet.ron"
cat > "$dir/scenario.ron" <<RON
FleetScenario(
    name: "bench", fleet: "fleet.ron", duration: "5m",
    timeline: [
        (on: Feed("feed-a"), event: (label: "cut", at: "60s", do: Fault("mains_blackout", {}))),
        (on: Feed("feed-a"), event: (label: "back", at: "4m", do: Clear("mains_blackout"))),
    ],
    expect: [
        (every: Feed("feed-a"), expect: (label: "on battery at once", that: "ups.on_battery", of: "cut", within: "200ms")),
        (every: Feed("feed-a"), expect: (label: "back on inverter", that: "ups.mode == OnInverter", of: "back", within: "30s")),
        (every: Feed("feed-b"), expect: (label: "B never notices", never: "ups.on_battery")),
    ],
)
RON
/usr/bin/time -f "%e %M" -o "$dir/time" "$upstwin" run "$dir/scenario.ron" > "$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
read -r wall_s rss_kib < "$dir/time"
tail -n 3 "$dir/out"
echo "fleet scenario, $devices devices × 300 s: ${wall_s} s wall," \
    "$(echo "scale=0; $devices * 300 / $wall_s" | bc) twin-seconds per wall second, peak RSS $((rss_kib / 1024)) MiB"
