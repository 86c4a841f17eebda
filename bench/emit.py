#!/usr/bin/env python3
"""Machine-readable results for `make bench` (bench/all): appends one JSON line per figure and tool to the
file named by $BENCH_JSON (does nothing when it is unset, so the scripts still run on their own).

  emit.py samples FIGURE TOOL UNIT VALUE...          samples measured by the script itself
  emit.py hyperfine FILE FIGURE UNIT NAME=TOOL...    samples from hyperfine --export-json (seconds, scaled to UNIT)
  emit.py status FIGURE TOOL TEXT                    a tool that was not measured, and why

UNIT is ms, s, MiB or the like; hyperfine samples are converted to ms or s. The first tool of a figure named
`bosun` is the subject; every other tool is a peer, and bench/all prints the ratio bosun / peer."""
import json, os, sys

SCALE = {"ms": 1000.0, "s": 1.0}


def append(record):
    path = os.environ.get("BENCH_JSON")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")


def main(argv):
    kind = argv[1]
    if kind == "samples":
        figure, tool, unit, values = argv[2], argv[3], argv[4], [float(v) for v in argv[5:]]
        append({"figure": figure, "tool": tool, "unit": unit, "samples": values})
    elif kind == "hyperfine":
        path, figure, unit = argv[2], argv[3], argv[4]
        names = dict(pair.split("=", 1) for pair in argv[5:])
        for result in json.load(open(path))["results"]:
            tool = names.get(result["command"])
            if tool:
                append({"figure": figure, "tool": tool, "unit": unit,
                        "samples": [t * SCALE[unit] for t in result["times"]]})
    elif kind == "status":
        append({"figure": argv[2], "tool": argv[3], "status": argv[4]})
    else:
        raise SystemExit(f"emit.py: unknown kind {kind}")


if __name__ == "__main__":
    main(sys.argv)
