#!/bin/sh
# `bosun runtime exec ID true` vs `runc exec ID true` into the same busybox container (one of each, running
# `sleep`, from the same bundle and config.json). Usage (as root, after `swift build -c release`):
# bench/exec-vs-runc.sh [RUNS]
set -eu
runs="${1:-20}"
here="$(cd "$(dirname "$0")/.." && pwd)"
bosun="${BOSUN:-$here/.build/release/bosun}"
work="$(mktemp -d /var/tmp/bosun-exec-bench-XXXXXX)"
id="exec-bench-$$"
cleanup() {
    "$bosun" runtime --root "$work/bosun-state" delete --force "$id" 2>/dev/null || true
    runc --root "$work/runc-state" delete --force "$id" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/sys"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for applet in true sleep; do ln -s busybox "$work/bundle/rootfs/bin/$applet"; done
"$bosun" runtime spec --bundle "$work/bundle" -- /bin/sleep 1000
"$bosun" runtime --root "$work/bosun-state" create --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>&1
"$bosun" runtime --root "$work/bosun-state" start "$id"
runc --root "$work/runc-state" run -d --bundle "$work/bundle" "$id" </dev/null >/dev/null 2>&1
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/result.json" \
    -n bosun "$bosun runtime --root $work/bosun-state exec $id true" \
    -n runc "runc --root $work/runc-state exec $id true"
python3 - "$work/result.json" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
b, r = results["bosun"]["times"], results["runc"]["times"]
print(f"median bosun exec {statistics.median(b)*1000:.1f} ms, runc exec {statistics.median(r)*1000:.1f} ms, "
      f"ratio {statistics.median(b)/statistics.median(r):.2f}")
PY
