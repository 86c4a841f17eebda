#!/usr/bin/env python3
"""`make soak`: the agent under sustained work, its memory sampled each minute (root, this host).

10 services; a commit every 5 s, cycling through: one service's environment changed (a recreate), one
service's memory limit changed (in place), an unrelated file changed (no convergence), a no-op re-commit of a
file outside the projects; the agent polls every 1 s and checks drift every 5 s. Each minute: RSS, anonymous
RSS, PSS, heap in use and free in malloc's arenas (the control socket's status), open descriptors and threads of the agent, and the convergences so far. The closing figure is the
growth per hour between minutes 10 and the end (a least-squares slope over the per-minute RSS), beside the
whole-run growth and the largest sample; the run fails (exit 1) when any convergence failed or when the host
is not as found afterwards.

Usage: bench/soak.py [--minutes N] [--heaptrack FILE] [--no-lock] [path/to/bosun]
  --minutes N       length of the run (default 60; the figure needs at least 15)
  --heaptrack FILE  run the agent under heaptrack, writing FILE (for `heaptrack_print FILE`): slower, and
                    its RSS includes heaptrack's own; for finding what grows, not for the figure
  --no-lock         do not take bosun's host network test lock (so tests can run beside an hour-long soak;
                    its state directory has its own nftables table and bridge names, see docs/networking.md)
With $BENCH_JSON set, appends the figures for bench/all (bench/emit.py).
"""
import argparse, fcntl, json, os, shutil, signal, socket, subprocess, sys, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = "/var/tmp/bosun-soak"
STATE, REPO = WORK + "/state", WORK + "/repo"
PROJECT = "soak"
SERVICES = 10


def run(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def compose(generations, limits):
    # A 1 s gate monitor: the gate runs on every recreate, and the churn stays a commit every 5 s (the default
    # 10 s monitor would make each convergence wait longer than a commit lasts).
    text = f"name: {PROJECT}\nx-bosun: {{update_config: {{monitor: 1s}}}}\nservices:\n"
    for index in range(SERVICES):
        text += f"""  s{index}:
    image: localhost:5000/bosun/busybox:1.35
    command: ["sleep", "100000"]
    init: true
    environment: {{GEN: g{generations[index]}}}
    mem_limit: {limits[index]}m
    stop_grace_period: 1s
    restart: unless-stopped
"""
        if index % 3 == 0:
            text += "    healthcheck: {test: [\"CMD\", \"true\"], interval: 10s}\n"
    return text


def commit(message):
    run("git", "-C", REPO, "add", "-A")
    run("git", "-C", REPO, "-c", "user.name=s", "-c", "user.email=s@example.org", "commit", "-q", "--allow-empty", "-m", message)


def sample(pid):
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)
    rollup = dict(line.split(":", 1) for line in open(f"/proc/{pid}/smaps_rollup").read().splitlines()[1:] if ":" in line)
    kib = lambda text: int(text.split()[0])
    return {"rss": kib(status["VmRSS"]), "anon": kib(status["RssAnon"]), "pss": kib(rollup["Pss"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd")), "threads": int(status["Threads"])}


def heap(path):
    """The agent's heap figures from its control socket's status (MiB in use, MiB free in the arenas)."""
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(30)
            client.connect(path)
            client.sendall(b'{"command":"status"}\n')
            data = b""
            while not data.endswith(b"\n"):
                chunk = client.recv(65536)
                if not chunk:
                    break
                data += chunk
        memory = json.loads(data)["body"]["memory"]
        return memory["heap_in_use_bytes"] / 1048576, memory["heap_free_bytes"] / 1048576
    except (OSError, ValueError, KeyError):
        return float("nan"), float("nan")


def slope(points):
    """Least-squares slope of (x, y) points."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--heaptrack")
    parser.add_argument("--no-lock", action="store_true")
    parser.add_argument("bosun", nargs="?", default=os.path.join(ROOT, ".build/release/bosun"))
    options = parser.parse_args()
    bosun = os.path.abspath(options.bosun)
    if os.getuid() != 0:
        raise SystemExit("run as root")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(f"{REPO}/{PROJECT}")
    lock = os.open("/run", os.O_RDONLY | os.O_DIRECTORY)  # the tests' host network lock
    if not options.no_lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
    forward = open("/proc/sys/net/ipv4/ip_forward").read()
    links_before = set(os.listdir("/sys/class/net"))
    agent, pid, rows, commits = None, None, [], 0
    try:
        run(ROOT + "/scripts/make-busybox-image", "oci", cwd=WORK)
        run(bosun, "image", "import", WORK + "/oci", "--state-dir", STATE)
        generations, limits = [0] * SERVICES, [64] * SERVICES
        run("git", "init", "-q", "-b", "main", REPO)
        with open(f"{REPO}/{PROJECT}/compose.yaml", "w") as f:
            f.write(compose(generations, limits))
        commit("start")
        config = WORK + "/config.yaml"
        with open(config, "w") as f:
            f.write(f"repo: {REPO}\ninterval: 1s\ndrift_interval: 5s\njitter: 0\nstate_dir: {STATE}\n"
                    f"control_socket: {WORK}/agent.sock\n")
        command = [bosun, "agent", "--config", config]
        if options.heaptrack:
            command = ["heaptrack", "-o", options.heaptrack] + command
        log = WORK + "/agent.log"
        agent = subprocess.Popen(command, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        pid = agent.pid
        deadline = time.time() + 120
        while "outcome=" not in open(log).read():
            if time.time() > deadline or agent.poll() is not None:
                raise SystemExit("the agent did not converge at start:\n" + open(log).read())
            time.sleep(0.1)
        if options.heaptrack:  # the agent is heaptrack's child
            pid = int(run("pgrep", "-P", str(agent.pid), "-f", "bosun agent").stdout.split()[0])
        began = time.time()
        print(f"{'min':>4} {'RSS MiB':>8} {'anon MiB':>9} {'PSS MiB':>8} {'heap MiB':>9} {'free MiB':>9} {'fds':>4} {'thr':>4} {'commits':>8} {'converged':>10} {'failed':>7}", flush=True)
        next_commit, next_sample, minute = began, began, 0
        while minute <= options.minutes:
            now = time.time()
            if now >= next_commit:
                kind, index = commits % 4, (commits // 4) % SERVICES
                if kind == 0:
                    generations[index] += 1
                elif kind == 1:
                    limits[index] = 48 if limits[index] == 64 else 64
                elif kind == 2:
                    with open(f"{REPO}/{PROJECT}/notes.txt", "w") as f:
                        f.write(f"note {commits}\n")
                with open(f"{REPO}/{PROJECT}/compose.yaml", "w") as f:
                    f.write(compose(generations, limits))
                commit(f"soak {commits}")
                commits += 1
                next_commit += 5
            if now >= next_sample:
                text = open(log).read()
                in_use, free = heap(WORK + "/agent.sock")
                row = sample(pid) | {"heap": in_use, "free": free, "minute": minute, "commits": commits,
                                     "converged": text.count("outcome=converged"), "failed": text.count("outcome=failed")}
                rows.append(row)
                print(f"{minute:>4} {row['rss'] / 1024:>8.2f} {row['anon'] / 1024:>9.2f} {row['pss'] / 1024:>8.2f} {in_use:>9.2f} {free:>9.2f} {row['fds']:>4} "
                      f"{row['threads']:>4} {commits:>8} {row['converged']:>10} {row['failed']:>7}", flush=True)
                minute += 1
                next_sample += 60
            if agent.poll() is not None:
                raise SystemExit("the agent exited:\n" + open(log).read()[-4000:])
            time.sleep(0.2)
    finally:
        if agent and agent.poll() is None:
            # Under heaptrack the agent is the wrapper's child: stop the agent itself, or it keeps running.
            if pid and pid != agent.pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            else:
                agent.send_signal(signal.SIGTERM)
            agent.wait(120)
        subprocess.run([bosun, "down", "--volumes", "--state-dir", STATE], capture_output=True)
        with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
            f.write(forward)
        left = sorted(set(os.listdir("/sys/class/net")) - links_before)
        shutil.rmtree(WORK, ignore_errors=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)

    window = [(r["minute"], r["rss"] / 1024) for r in rows if r["minute"] >= 10]
    per_hour = slope(window) * 60 if len(window) >= 5 else float("nan")
    anon_hour = slope([(r["minute"], r["anon"] / 1024) for r in rows if r["minute"] >= 10]) * 60 if len(window) >= 5 else float("nan")
    heap_hour = slope([(r["minute"], r["heap"]) for r in rows if r["minute"] >= 10]) * 60 if len(window) >= 5 else float("nan")
    first, last = rows[0], rows[-1]
    print(f"\n{'figure':62} {'bosun agent':>14}")
    print(f"{'RSS growth per hour, minutes 10–' + str(last['minute']) + ' (least squares)':62} {per_hour:>10.3f} MiB/h")
    print(f"{'anonymous RSS growth per hour, same window':62} {anon_hour:>10.3f} MiB/h")
    print(f"{'heap in use (malloc) growth per hour, same window':62} {heap_hour:>10.3f} MiB/h")
    print(f"{'RSS at minute 0 → minute ' + str(last['minute']) + ' (max)':62} {first['rss'] / 1024:>6.1f} → {last['rss'] / 1024:.1f} ({max(r['rss'] for r in rows) / 1024:.1f}) MiB")
    print(f"{'descriptors minute 0 → end; threads':62} {first['fds']:>6} → {last['fds']}; {last['threads']}")
    print(f"{'commits; convergences (failed)':62} {commits:>6}; {last['converged']} ({last['failed']})")
    print("peer: none measured (no peer agent runs this churn here; dockerd's idle RSS is in `make bench`)")
    if left:
        print(f"host not as found: links left {left}")
    emit = lambda *args: run("python3", os.path.join(ROOT, "bench/emit.py"), *map(str, args))
    emit("samples", "agent RSS growth per hour under churn (minutes 10–end)", "bosun", "MiB/h", per_hour)
    if last["failed"] or left:
        sys.exit(1)


if __name__ == "__main__":
    main()
