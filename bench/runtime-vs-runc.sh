#!/bin/sh
# Paired benchmark: `bosun runtime run` vs `runc run` (and crun when it runs here) of /bin/true (busybox) on the
# same bundle and config.json. Then the whole client path: `bosun run` (foreground, removed on exit, no network)
# of the busybox fixture's /bin/true vs `docker run --rm --network none` on a private dockerd started here
# (bench/private_dockerd.py; client → dockerd → containerd → shim → runc) and `podman run --rm --network none`.
# Usage (as root, after `make release`): bench/runtime-vs-runc.sh [RUNS]
# With $BENCH_JSON set, appends the samples for bench/all (see bench/emit.py).
set -eu
runs="${1:-50}"
here="$(cd "$(dirname "$0")/.." && pwd)"
export BOSUN="${BOSUN:-$here/.build/release/bosun}"
work="$(mktemp -d /var/tmp/bosun-bench-XXXXXX)"
. "$here/bench/docker_peer.sh"
trap 'docker_down; rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/sys" \
    "$work/bosun-state" "$work/runc-state" "$work/crun-state"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
"$BOSUN" runtime spec --bundle "$work/bundle" -- /bin/true
figure="container start: runtime run /bin/true"
set -- -n bosun "$here/bench/runtime-run-one.sh bosun $work/bundle $work/bosun-state" \
    -n runc "$here/bench/runtime-run-one.sh runc $work/bundle $work/runc-state"
if ! command -v crun >/dev/null; then
    python3 "$here/bench/emit.py" status "$figure" crun "not installed"
elif ! out=$("$here/bench/runtime-run-one.sh" crun "$work/bundle" "$work/crun-state" 2>&1); then
    python3 "$here/bench/emit.py" status "$figure" crun "cannot run here: $(echo "$out" | tail -1)"
else
    set -- "$@" -n "crun (in unshare -m)" "$here/bench/runtime-run-one.sh crun $work/bundle $work/crun-state"
fi
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" "$@"
python3 "$here/bench/emit.py" hyperfine "$work/result.json" "$figure" ms bosun=bosun runc=runc "crun (in unshare -m)=crun (in unshare -m)"
python3 - "$work/result.json" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
b, r = results["bosun"]["times"], results["runc"]["times"]
ratios = sorted(x / y for x, y in zip(b, r))
print(f"median bosun {statistics.median(b)*1000:.1f} ms, runc {statistics.median(r)*1000:.1f} ms, "
      f"ratio of medians {statistics.median(b)/statistics.median(r):.2f}, median paired ratio {statistics.median(ratios):.2f}")
PY

# The whole client path, image present, no network.
figure="container start, whole CLI: run --rm /bin/true (image present, no network)"
ref=localhost:5000/bosun/busybox:1.35
"$here/scripts/make-busybox-image" "$work/image" >/dev/null
"$BOSUN" image import "$work/image" --state-dir "$work/bosun-cli" >/dev/null
set -- -n bosun "$BOSUN run --network none --state-dir $work/bosun-cli $ref /bin/true"
if docker_up "$work/docker"; then
    python3 "$here/bench/private_dockerd.py" load "$work/docker" "$work/image" "$ref"
    set -- "$@" -n "docker run --rm" "$DOCKER run --rm --network none $ref /bin/true"
else
    python3 "$here/bench/emit.py" status "$figure" "docker run --rm" "$docker_reason"
fi
if command -v podman >/dev/null; then
    printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n' > "$work/containers.conf"
    export CONTAINERS_CONF="$work/containers.conf"
    skopeo copy -q "oci:$work/image" "containers-storage:$ref"
    set -- "$@" -n "podman run --rm" "podman run --rm --network none $ref /bin/true"
else
    python3 "$here/bench/emit.py" status "$figure" "podman run --rm" "not installed"
fi
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/cli.json" "$@"
[ -z "${CONTAINERS_CONF:-}" ] || podman rmi -f "$ref" >/dev/null
python3 "$here/bench/emit.py" hyperfine "$work/cli.json" "$figure" ms bosun=bosun "docker run --rm=docker run --rm (whole client path)" \
    "podman run --rm=podman run --rm"
docker_down
