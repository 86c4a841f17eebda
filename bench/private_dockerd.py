#!/usr/bin/env python3
"""A private dockerd for the docker peers of `make bench`, started by the bench scripts themselves and gone
without a trace afterwards (as root; Debian's docker.io 20.10, which starts its own containerd).

dockerd runs with its data root, exec root, pid file and socket under ROOT (in /var/tmp), with
`--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none`: it leaves the FORWARD
policy, the nft/iptables tables and ip_forward as found and creates no docker0. User-defined bridge networks
(`docker network create`, compose networks) still work, and `-p 127.0.0.1:PORT:80` is served by docker-proxy
(the userland proxy, on by default) since there are no DNAT rules. The Debian client /usr/bin/docker (the
daemon's version) is used through DOCKER_HOST; DOCKER_CONFIG points into ROOT.

Before the start the host is recorded (link names, `nft -s list ruleset`, `iptables-save`/`ip6tables-save`, mounts
under ROOT or naming docker/containerd, /sys/fs/cgroup/*/docker*, ip_forward and bridge-nf sysctls, docker's
well-known paths). `stop` removes every container and network, stops dockerd by pid (SIGTERM, SIGKILL after
30 s), kills what is left of its processes, unmounts what is left under ROOT, removes its cgroups, links and
the paths it created, puts the sysctls back, deletes ROOT, then compares the host with the record and fails
(exit 2) naming every difference. Activity of bosun itself (links bsn-* and vb*, nft table `bosun`) is ignored
so that tests running beside it on the host do not count.

  private_dockerd.py start ROOT           prints `export DOCKER_HOST=… DOCKER_CONFIG=…` for eval; exit 1 and the
                                          reason on stderr when dockerd cannot start here
  private_dockerd.py load ROOT OCI REF    loads an OCI layout into it as REF (skopeo → docker-archive → docker load)
  private_dockerd.py stop ROOT            stops, cleans and checks the host (exit 2 when it is not as found)"""
import glob, json, os, re, shutil, signal, subprocess, sys, time

DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else "docker"
SYSCTLS = ["/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding",
           "/proc/sys/net/bridge/bridge-nf-call-iptables", "/proc/sys/net/bridge/bridge-nf-call-ip6tables"]
PATHS = ["/etc/docker", "/etc/docker/key.json", "/run/docker", "/run/docker/plugins", "/run/containerd",
         "/run/containerd/s", "/var/lib/docker", "/var/lib/containerd", "/run/docker.sock", "/var/run/docker.pid"]


def out(*args):
    return subprocess.run(list(args), capture_output=True, text=True).stdout


def env(root):
    return dict(os.environ, DOCKER_HOST=f"unix://{root}/docker.sock", DOCKER_CONFIG=f"{root}/client")


def docker(root, *args, check=False):
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, env=env(root), check=check)


def own_link(name):
    """bosun's bridges and veths, which tests running beside the bench on the host create and remove."""
    return name.startswith(("bsn-", "vb"))


def strip_tables(text, names):
    """nft ruleset text without the tables whose name is in names (bosun's own, changed by tests beside us)."""
    kept, skip = [], False
    for line in text.splitlines():
        match = re.match(r"table (\S+) (\S+) \{", line)
        if match:
            skip = match.group(2) in names
        if not skip:
            kept.append(line)
        if line == "}":
            skip = False
    return "\n".join(kept)


def iptables(command):
    if not shutil.which(command):
        return ""
    lines = out(command).splitlines()
    return "\n".join(re.sub(r" \[\d+:\d+\]$", "", l) for l in lines if not l.startswith("#") and "bosun" not in l)


def snapshot(root):
    mounts = sorted(l.split()[1] for l in open("/proc/mounts")
                    if l.split()[1].startswith(root) or re.search(r"docker|containerd", l))
    sysctls = {p: open(p).read().strip() for p in SYSCTLS if os.path.exists(p)}
    return {
        "links": sorted(l.split()[0].split("@")[0] for l in out("ip", "-br", "link").splitlines() if l.strip()),
        "nft": strip_tables(out("nft", "-s", "list", "ruleset"), {"bosun"}),
        "iptables": iptables("iptables-save"), "ip6tables": iptables("ip6tables-save"),
        "mounts": mounts, "cgroups": sorted(glob.glob("/sys/fs/cgroup/*/docker*")),
        "sysctls": sysctls, "paths": sorted(p for p in PATHS if os.path.lexists(p)),
    }


def differences(before, after):
    found = []
    new_links = [l for l in after["links"] if l not in before["links"] and not own_link(l)]
    if new_links:
        found.append(f"links left: {', '.join(new_links)}")
    for key in ("nft", "iptables", "ip6tables"):
        if before[key] != after[key]:
            gone = set(before[key].splitlines()) - set(after[key].splitlines())
            added = set(after[key].splitlines()) - set(before[key].splitlines())
            found.append(f"{key} changed: added {sorted(added)[:6]}, removed {sorted(gone)[:6]}")
    for key in ("mounts", "cgroups", "paths"):
        added = [x for x in after[key] if x not in before[key]]
        if added:
            found.append(f"{key} left: {', '.join(added[:8])}")
    for path, value in before["sysctls"].items():
        if after["sysctls"].get(path) != value:
            found.append(f"{path} is {after['sysctls'].get(path)}, was {value}")
    return found


def start(root):
    """Starts dockerd under root and returns the shell line that points a client at it; raises SystemExit with the
    reason when it cannot. Call stop(root) in any case."""
    dockerd = shutil.which("dockerd")
    if not dockerd:
        raise SystemExit("dockerd not installed")
    if os.path.exists(root + "/pid"):
        raise SystemExit(f"a private dockerd was already started under {root}: stop it first")
    os.makedirs(root + "/client", exist_ok=True)
    with open(root + "/client/config.json", "w") as f:  # podman reads DOCKER_CONFIG too and wants the file
        f.write("{}\n")
    with open(root + "/host-before.json", "w") as f:
        json.dump(snapshot(root), f)
    log = open(root + "/dockerd.log", "w")
    process = subprocess.Popen([dockerd, "--data-root", root + "/data", "--exec-root", root + "/exec",
                                "-H", f"unix://{root}/docker.sock", "--pidfile", root + "/dockerd.pid",
                                "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
                                "--bridge=none", "--userland-proxy=true", "--storage-driver=overlay2",
                                "--exec-opt", "native.cgroupdriver=cgroupfs", "--log-level=warn"],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    with open(root + "/pid", "w") as f:
        f.write(str(process.pid))
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            tail = open(root + "/dockerd.log").read().strip().splitlines()[-1:] or ["no output"]
            raise SystemExit(f"dockerd exited with {process.returncode}: {tail[0]}")
        if os.path.exists(root + "/docker.sock") and docker(root, "info").returncode == 0:
            return f"export DOCKER_HOST=unix://{root}/docker.sock DOCKER_CONFIG={root}/client"
        time.sleep(0.2)
    raise SystemExit("dockerd did not answer within 60 s")


def load(root, oci, ref):
    archive = root + "/load.tar"
    subprocess.run(["skopeo", "copy", "-q", f"oci:{oci}", f"docker-archive:{archive}:{ref}"], check=True)
    docker(root, "load", "-q", "-i", archive, check=True)
    os.unlink(archive)


def descendants(pid, pid_root):
    """(pid, comm) of every process below pid (containerd, docker-proxy) and of the shims of the containerd under
    pid_root."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{entry}/stat").read()
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    found, queue = [], list(children.get(pid, []))
    for entry in filter(str.isdigit, os.listdir("/proc")):  # shims daemonize away from containerd
        try:
            if comm(int(entry)).startswith("containerd-shim") and pid_root.encode() in open(f"/proc/{entry}/cmdline", "rb").read():
                queue.append(int(entry))
        except (OSError, AttributeError):
            pass
    while queue:
        child = queue.pop()
        found.append((child, comm(child)))
        queue += children.get(child, [])
    return found


def comm(pid):
    try:
        return open(f"/proc/{pid}/comm").read().strip()
    except OSError:
        return None


def stop(root):
    """Stops the dockerd started under root, removes every trace, and raises SystemExit(2) when the host is not as
    it was before start(root)."""
    if not os.path.exists(root + "/host-before.json"):  # never started
        shutil.rmtree(root, ignore_errors=True)
        return
    before = json.load(open(root + "/host-before.json"))
    pid = int(open(root + "/pid").read()) if os.path.exists(root + "/pid") else None
    if pid and os.path.exists(root + "/docker.sock"):
        ids = docker(root, "ps", "-aq").stdout.split()
        if ids:
            docker(root, "rm", "-f", *ids)
        networks = [n for n in docker(root, "network", "ls", "-q", "--filter", "type=custom").stdout.split()]
        if networks:
            docker(root, "network", "rm", *networks)
    below = descendants(pid, root) if pid and comm(pid) == "dockerd" else []
    if pid and comm(pid) == "dockerd":
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 30
            while time.time() < deadline and os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]:
                time.sleep(0.1)
            if os.path.exists(f"/proc/{pid}"):
                os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, FileNotFoundError):
            pass
    for leftover, name in below:  # containerd, shims, docker-proxy that outlived dockerd (same pid, same name)
        if comm(leftover) == name:
            try:
                os.kill(leftover, signal.SIGKILL)
            except ProcessLookupError:
                pass
    time.sleep(0.2)
    for line in reversed(open("/proc/mounts").read().splitlines()):
        mountpoint = line.split()[1]
        if mountpoint.startswith(root + "/"):
            subprocess.run(["umount", "-l", mountpoint], capture_output=True)
    for cgroup in sorted(set(glob.glob("/sys/fs/cgroup/*/docker*")) - set(before["cgroups"]), key=len, reverse=True):
        for directory, _, _ in sorted(os.walk(cgroup), key=lambda w: len(w[0]), reverse=True):
            try:
                os.rmdir(directory)
            except OSError:
                pass
    links = [l.split()[0].split("@")[0] for l in out("ip", "-br", "link").splitlines() if l.strip()]
    for link in links:
        if link not in before["links"] and re.match(r"^(docker\d|br-[0-9a-f]{12}|bdk)", link):
            subprocess.run(["ip", "link", "delete", link], capture_output=True)
    for path in sorted(set(PATHS) - set(before["paths"]), key=len, reverse=True):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)
    for path, value in before["sysctls"].items():
        if os.path.exists(path) and open(path).read().strip() != value:
            print(f"private dockerd: put {path} back to {value} (changed during the run)", file=sys.stderr)
            with open(path, "w") as f:
                f.write(value)
    if not any(l.split()[1].startswith(root + "/") for l in open("/proc/mounts")):  # never delete through a mount
        shutil.rmtree(root, ignore_errors=True)
    found = differences(before, snapshot(root))
    if found:
        print("private dockerd: host not as found: " + "; ".join(found), file=sys.stderr)
        raise SystemExit(2)
    print("private dockerd: stopped; host as found (links, nft, iptables, mounts, cgroups, sysctls, paths)")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("start", "load", "stop"):
        raise SystemExit(__doc__)
    root = os.path.abspath(argv[2])
    if argv[1] == "start":
        print(start(root))
    elif argv[1] == "load":
        load(root, argv[3], argv[4])
    else:
        stop(root)


if __name__ == "__main__":
    main(sys.argv)
