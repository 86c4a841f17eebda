#!/bin/sh
# One `run` of the bench bundle with a unique container id: runtime-run-one.sh bosun|runc|crun BUNDLE STATE_ROOT
# crun refuses this host's hybrid cgroup layout, so it runs in a private mount namespace without
# /sys/fs/cgroup/unified (the unshare and the umount are counted in its time).
set -e
id="bench-$$"
case "$1" in
    bosun) exec "${BOSUN:-.build/release/bosun}" runtime --root "$3" run --bundle "$2" "$id" ;;
    runc) exec runc --root "$3" run --bundle "$2" "$id" ;;
    crun) exec unshare -m sh -c "umount /sys/fs/cgroup/unified && exec crun --root '$3' run --bundle '$2' '$id'" ;;
esac
