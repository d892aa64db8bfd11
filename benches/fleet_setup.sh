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
