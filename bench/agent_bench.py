#!/usr/bin/env python3
"""The agent's closing-note figures, measured in one run (root, this host):

- idle RSS (and PSS; median of a sample a second for 30 s, and the maximum, reached while a poll or a drift
  check runs) of `bosun agent` with 3 running services, next to dockerd + containerd idle
  (a private dockerd, bench/private_dockerd.py: --iptables=false --bridge=none, its own roots under /var/tmp,
  stopped by pid and the host checked as found afterwards; skipped, and said so, when it cannot start);
- CPU used by an idle agent over an hour of polling every 10 s with a drift check every 30 s, from
  /proc/PID/stat utime+stime across short-interval runs, scaled: a baseline run (no polls, no drift
  checks: the once-a-second supervision and the loop), a run polling every second, a run checking drift
  every second;
- time from a signed webhook to a converged change (median of 5), for an in-place limit change and for
  a recreate.

With $BENCH_JSON set, appends the figures for bench/all (bench/emit.py).

Usage: bench/agent_bench.py [path/to/bosun] (default .build/release/bosun, which must sit beside
bosun-init and bosun-monitor). Takes bosun's host network test lock while it runs.
"""
import fcntl, hashlib, hmac, json, os, shutil, signal, statistics, subprocess, sys, time, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOSUN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/bosun"))
WORK = "/var/tmp/bosun-agent-bench"
STATE, REPO = WORK + "/state", WORK + "/repo"
PROJECT = "agbench"
TICK = os.sysconf("SC_CLK_TCK")
SECRET = "bench-secret"


def run(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def compose(memory="64m", generation="g-1"):
    # monitor 0s: the webhook figures are the convergence and the new container's start (and health), not the
    # health gate's watch, which is 10 s by default and would be the whole figure.
    return f"""name: {PROJECT}
x-bosun: {{update_config: {{monitor: 0s}}}}
services:
  web:
    image: localhost:5000/bosun/busybox:1.35
    command: ["sh", "-c", "echo gen=$$GEN; exec sleep 100000"]
    environment: {{GEN: {generation}}}
    init: true
    stop_grace_period: 1s
    restart: always
  cache:
    image: localhost:5000/bosun/busybox:1.35
    command: ["sleep", "100000"]
    init: true
    mem_limit: {memory}
    restart: unless-stopped
  db:
    image: localhost:5000/bosun/busybox:1.35
    command: ["sleep", "100000"]
    init: true
    healthcheck: {{test: ["CMD", "true"], interval: 30s}}
"""


def commit(text, message):
    with open(f"{REPO}/{PROJECT}/compose.yaml", "w") as f:
        f.write(text)
    run("git", "-C", REPO, "-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qam", message)
    return run("git", "-C", REPO, "rev-parse", "HEAD").stdout.strip()


class Agent:
    def __init__(self, interval, drift_interval, webhook=False):
        self.log = f"{WORK}/agent-{uuid.uuid4().hex[:6]}.log"
        config = f"{WORK}/config.yaml"
        with open(config, "w") as f:
            f.write(f"repo: {REPO}\ninterval: {interval}\ndrift_interval: {drift_interval}\njitter: 0\n"
                    f"state_dir: {STATE}\ncontrol_socket: {WORK}/agent.sock\n")
            if webhook:
                f.write(f"webhook: {{listen: '127.0.0.1:0', secret_file: {WORK}/secret}}\n")
        self.process = subprocess.Popen([BOSUN, "agent", "--config", config], stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        self.wait_for(["trigger=startup", "outcome="])

    def lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def wait_for(self, parts, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.lines():
                if all(p in line for p in parts):
                    return line
            time.sleep(0.01)
        raise SystemExit(f"timed out waiting for {parts}:\n" + "\n".join(self.lines()))

    def cpu_ticks(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def memory(self):
        status = dict(line.split(":", 1) for line in open(f"/proc/{self.process.pid}/status") if ":" in line)
        rollup = dict(line.split(":", 1) for line in open(f"/proc/{self.process.pid}/smaps_rollup").read().splitlines()[1:] if ":" in line)
        return int(status["VmRSS"].split()[0]), int(rollup["Pss"].split()[0])

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


def cpu_rate(interval, drift_interval, seconds):
    agent = Agent(interval, drift_interval)
    time.sleep(3)
    start, began = agent.cpu_ticks(), time.time()
    time.sleep(seconds)
    used, elapsed = (agent.cpu_ticks() - start) / TICK, time.time() - began
    agent.stop()
    return used / elapsed  # CPU seconds per second


def webhook_latency(port, expect, change):
    sha = change()
    body = ('{"ref":"refs/heads/main","after":"%s"}' % sha).encode()  # a forge's body differs per event
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    sent = time.time()
    request = (f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\nX-GitHub-Delivery: {uuid.uuid4()}\r\n"
               f"X-Hub-Signature-256: sha256={signature}\r\nConnection: close\r\n\r\n").encode() + body
    import socket
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request)
        status = s.recv(100).split(b" ")[1]
    assert status == b"202", status
    line = expect(["event=convergence", "trigger=webhook", f"commit={sha[:12]}", "outcome=converged"])
    stamp = line.split()[0].split("=", 1)[1]
    done = time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone + float("0" + stamp[19:-1])
    return (done - sent) * 1000


def dockerd_idle():
    """(dockerd RSS, containerd RSS) in KiB after 15 s idle with no container, or the reason it could not run."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no __pycache__ in bench/
    import private_dockerd
    root = WORK + "/docker"
    try:
        private_dockerd.start(root)
        time.sleep(15)
        pid = int(open(root + "/pid").read())
        def rss(pid):
            return int(dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)["VmRSS"].split()[0])
        children = run("pgrep", "-P", str(pid), check=False).stdout.split()
        containerd = [int(child) for child in children if "containerd" in open(f"/proc/{child}/comm").read()]
        return rss(pid), sum(rss(child) for child in containerd)
    except SystemExit as error:
        return f"private dockerd cannot start here: {error}"
    finally:
        private_dockerd.stop(root)  # SystemExit(2) when the host is not as found


def main():
    if os.getuid() != 0:
        raise SystemExit("run as root")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(f"{REPO}/{PROJECT}")
    # The tests' host network lock: an flock on /run itself (nothing is created).
    lock = os.open("/run", os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    forward = open("/proc/sys/net/ipv4/ip_forward").read()
    try:
        run(ROOT + "/scripts/make-busybox-image", "oci", cwd=WORK)
        run(BOSUN, "image", "import", WORK + "/oci", "--state-dir", STATE)
        with open(WORK + "/secret", "w") as f:
            f.write(SECRET + "\n")
        run("git", "init", "-q", "-b", "main", REPO)
        with open(f"{REPO}/{PROJECT}/compose.yaml", "w") as f:
            f.write(compose())
        run("git", "-C", REPO, "add", "-A")
        run("git", "-C", REPO, "-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "A")

        # Idle memory: polling every 10 s, drift every 30 s, the webhook endpoint open, 3 services.
        agent = Agent("10s", "30s", webhook=True)
        # One sample a second for 30 s: three polls and a drift check fall inside, so the median is the idle
        # figure and the maximum the resident set while a poll or a drift check runs.
        samples = []
        for _ in range(30):
            time.sleep(1)
            samples.append(agent.memory())
        agent.stop()
        rss, pss = statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
        peak = max(s[0] for s in samples)

        seconds = 60
        base = cpu_rate("1h", "1h", seconds)
        polls = cpu_rate("1s", "1h", seconds)
        drifts = cpu_rate("1h", "1s", seconds)
        poll_cost, drift_cost = max(0.0, polls - base), max(0.0, drifts - base)  # CPU s per poll / per drift check
        hour = base * 3600 + poll_cost * 360 + drift_cost * 120

        agent = Agent("1h", "1h", webhook=True)
        port = int(agent.wait_for(["event=listen", "webhook=127.0.0.1:"]).split("webhook=127.0.0.1:")[1].split()[0])
        in_place, recreate = [], []
        for round in range(5):
            memory = "48m" if round % 2 == 0 else "64m"
            # Only cache's limit changes (in place), then only web's environment (a recreate).
            in_place.append(webhook_latency(port, agent.wait_for, lambda: commit(compose(memory=memory, generation=f"g{round - 1}"), f"limit {round}")))
            recreate.append(webhook_latency(port, agent.wait_for, lambda: commit(compose(memory=memory, generation=f"g{round}"), f"env {round}")))
        agent.stop()
        docker = dockerd_idle()
    finally:
        subprocess.run([BOSUN, "down", "--volumes", "--state-dir", STATE], capture_output=True)
        shutil.rmtree(WORK, ignore_errors=True)
        with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
            f.write(forward)
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)

    emit = lambda *args: run("python3", os.path.join(ROOT, "bench/emit.py"), *map(str, args))
    emit("samples", "agent idle RSS, 3 services running", "bosun", "MiB", *[s[0] / 1024 for s in samples])
    if isinstance(docker, tuple):
        emit("samples", "agent idle RSS, 3 services running", "dockerd + containerd (idle, none)", "MiB", (docker[0] + docker[1]) / 1024)
    else:
        emit("status", "agent idle RSS, 3 services running", "dockerd + containerd", docker)
    emit("samples", "agent idle PSS, 3 services running", "bosun", "MiB", *[s[1] / 1024 for s in samples])
    emit("samples", "agent CPU per hour: polls every 10 s, drift every 30 s", "bosun", "s", hour)
    emit("samples", "webhook → converged, in-place limit change", "bosun", "ms", *in_place)
    emit("samples", "webhook → converged, recreate with init", "bosun", "ms", *recreate)
    print(f"{'figure':58} {'bosun agent':>16} {'dockerd + containerd':>22}")
    peer = f"{docker[0] / 1024:.1f} + {docker[1] / 1024:.1f} MiB" if isinstance(docker, tuple) else docker
    print(f"{'idle RSS, 3 services running, median (PSS for bosun)':58} {rss / 1024:>8.1f} MiB ({pss / 1024:.1f}) {peer:>22}")
    print(f"{'RSS while a poll or drift check runs (max of 30 s)':58} {peak / 1024:>8.1f} MiB")
    print(f"{'CPU, idle loop + supervision every 1 s (per hour)':58} {base * 3600:>12.2f} s")
    print(f"{'CPU per no-change poll (git fetch of a local repo)':58} {poll_cost * 1000:>11.2f} ms")
    print(f"{'CPU per drift check (3 containers, 1 network, nft)':58} {drift_cost * 1000:>11.2f} ms")
    print(f"{'CPU per hour: polls every 10 s, drift every 30 s':58} {hour:>12.2f} s  ({hour / 36:.3f} % of one core)")
    print(f"{'webhook → converged, in-place limit change (median of 5)':58} {statistics.median(in_place):>11.0f} ms")
    print(f"{'webhook → converged, recreate with init (median of 5)':58} {statistics.median(recreate):>11.0f} ms")


if __name__ == "__main__":
    main()
