#!/bin/sh
# One `run` of the bench bundle with a unique container id: runtime-run-one.sh bosun|runc BUNDLE STATE_ROOT
set -e
id="bench-$$"
case "$1" in
    bosun) exec "${BOSUN:-.build/release/bosun}" runtime --root "$3" run --bundle "$2" "$id" ;;
    runc) exec runc --root "$3" run --bundle "$2" "$id" ;;
esac
