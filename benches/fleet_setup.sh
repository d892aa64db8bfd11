# Sourced by the fleet benchmarks: the release binary built ($upstwin), a scratch directory
# ($dir) removed on exit with the fleet process ($pid, set by the caller), and the open-file
# limit raised to the hard limit.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/upstwin-target}"
cargo build -q --release --bin upstwin
upstwin="$CARGO_TARGET_DIR/release/upstwin"
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

# A fleet file of N MASTERYS GP 60 (`card: none`, sockets shared) on two feeds of one site,
# half each: feed-a (group a) and feed-b (group b).
two_feed_fleet() {
    local devices="$1"
    cat <<RON
Fleet(name: "bench", addresses: Loopback(first: "127.2.0.1", modbus_port: 5030, listen: Shared),
    sites: [(name: "site", feeds: [(name: "feed-a"), (name: "feed-b")],
        groups: [
            (name: "a", feed: "feed-a", count: $((devices / 2)), model: "masterys-gp-60", load_pct: (30, 90)),
            (name: "b", feed: "feed-b", count: $((devices - devices / 2)), model: "masterys-gp-60", load_pct: (30, 90)),
        ])])
RON
}
