#!/usr/bin/env python3
"""Service up with a bridge network and a published port, until the port answers on 127.0.0.1:
`bosun run -d --network N -p 127.0.0.1:PORT:80` of busybox httpd beside `podman run -d --network N -p …`
(Debian's podman 4.3.1; CONTAINERS_CONF sets the ulimits this host needs) and `docker run -d --network N -p …`
on a private dockerd started here (bench/private_dockerd.py: --iptables=false, so the published port is served
by docker-proxy, the userland proxy, without DNAT rules), measured in the same run, alternating, as root.

Each sample: from the start of the `run -d` process until an HTTP answer arrives through the published port;
the container is then removed (not timed). The network is created by a warm-up run first.
Usage: bench/service_up.py [RUNS] (default 10; BOSUN=path overrides the binary). With $BENCH_JSON set,
appends the samples for bench/all. Removes everything it created, including netavark's nft tables
`ip filter`/`ip nat` when they did not exist before (netavark leaves its chains in them), and fails (exit 2) when the host is not
as found after the private dockerd is stopped."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in bench/
import private_dockerd  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOSUN = os.environ.get("BOSUN", os.path.join(ROOT, ".build/release/bosun"))
IMAGE = "localhost:5000/bosun/busybox:1.35"
FIGURE = "service up: bridge network + published port, until it answers"
NETWORK = "benchup"


def sh(*args, check=True, env=None):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, env=env)


def emit(*args):
    sh("python3", os.path.join(ROOT, "bench/emit.py"), *args)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def answered(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


def up(command, port, env=None, timeout=30):
    """Seconds from starting `command` until port answers."""
    start = time.perf_counter()
    sh(*command, env=env)
    while not answered(port):
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"port {port} did not answer within {timeout} s after {' '.join(command)}")
        time.sleep(0.002)
    return time.perf_counter() - start


def nft_tables():
    return set(sh("nft", "list", "tables", check=False).stdout.split("\n"))


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    work = tempfile.mkdtemp(prefix="bosun-bench-up.", dir="/var/tmp")
    state = work + "/state"
    conf = work + "/containers.conf"
    with open(conf, "w") as f:
        f.write('[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n')
    penv = dict(os.environ, CONTAINERS_CONF=conf)
    tables_before = nft_tables()
    podman = shutil.which("podman")
    bosun_samples, podman_samples, podman_error = [], [], None
    docker_root, docker_samples, docker_error = work + "/docker", [], None
    denv = private_dockerd.env(docker_root)
    docker = lambda *args, check=True: sh(private_dockerd.DOCKER, *args, check=check, env=denv)
    try:
        try:  # first, so that the host it records is the one found
            private_dockerd.start(docker_root)
        except SystemExit as error:
            docker_error = f"private dockerd cannot start here: {error}"
        sh(os.path.join(ROOT, "scripts/make-busybox-image"), work + "/image")
        if docker_error is None:
            private_dockerd.load(docker_root, work + "/image", IMAGE)
            docker("network", "create", "--subnet", "10.231.8.0/24", "-o", "com.docker.network.bridge.name=bdk-benchup", NETWORK)
        sh(BOSUN, "image", "import", work + "/image", "--state-dir", state)
        if podman:
            sh("skopeo", "copy", "-q", f"oci:{work}/image", f"containers-storage:{IMAGE}", env=penv)
            sh("podman", "network", "create", "--subnet", "10.231.7.0/24", NETWORK, env=penv)
        for i in range(runs + 1):  # the first is a warm-up (creates bosun's network)
            port = free_port()
            took = up([BOSUN, "run", "-d", "--name", f"up{i}", "--network", NETWORK, "-p", f"127.0.0.1:{port}:80",
                       "--state-dir", state, IMAGE, "httpd", "-f", "-p", "80"], port)
            sh(BOSUN, "rm", "-f", f"up{i}", "--state-dir", state)
            if i:
                bosun_samples.append(took)
            if podman and podman_error is None:
                port = free_port()
                try:
                    took = up(["podman", "run", "-d", "--name", f"bench-up{i}", "--label", "bosun-bench=1",
                               "--network", NETWORK, "-p", f"127.0.0.1:{port}:80", IMAGE, "httpd", "-f", "-p", "80"], port, env=penv)
                    if i:
                        podman_samples.append(took)
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    podman_error = str(getattr(error, "stderr", "") or error).strip().splitlines()[-1]
                sh("podman", "rm", "-f", "-t", "0", f"bench-up{i}", check=False, env=penv)
            if docker_error is None:
                port = free_port()
                try:
                    took = up([private_dockerd.DOCKER, "run", "-d", "--name", f"bench-up{i}", "--network", NETWORK,
                               "-p", f"127.0.0.1:{port}:80", IMAGE, "httpd", "-f", "-p", "80"], port, env=denv)
                    if i:
                        docker_samples.append(took)
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    docker_error = "failed: " + str(getattr(error, "stderr", "") or error).strip().splitlines()[-1]
                docker("rm", "-f", f"bench-up{i}", check=False)
    finally:
        for i in range(runs + 1):
            sh(BOSUN, "rm", "-f", f"up{i}", "--state-dir", state, check=False)
        sh(BOSUN, "network", "rm", NETWORK, "--state-dir", state, check=False)
        if podman:
            sh("podman", "rm", "-f", "-t", "0", *[f"bench-up{i}" for i in range(runs + 1)], check=False, env=penv)
            sh("podman", "network", "rm", "-f", NETWORK, check=False, env=penv)
            sh("podman", "rmi", "-f", IMAGE, check=False, env=penv)
            for table in ("table ip filter", "table ip nat"):  # netavark's, with its chains and jumps left in them
                if table not in tables_before and table in nft_tables():
                    sh("nft", "delete", *table.split(), check=False)
        sh(BOSUN, "down", "--volumes", "--state-dir", state, check=False)
        try:  # last: containers, network, dockerd, then the host compared with what it was before
            private_dockerd.stop(docker_root)
            host_clean = True
        except SystemExit:
            host_clean = False
        shutil.rmtree(work, ignore_errors=True)

    ms = lambda xs: [x * 1000 for x in xs]
    emit("samples", FIGURE, "bosun", "ms", *map(str, ms(bosun_samples)))
    print(f"bosun run -d --network -p, until it answers: median {statistics.median(bosun_samples) * 1000:.0f} ms ({runs} runs)")
    if not podman:
        emit("status", FIGURE, "podman run", "not installed")
    elif podman_error:
        emit("status", FIGURE, "podman run", f"failed: {podman_error}")
        print(f"podman run failed: {podman_error}")
    else:
        emit("samples", FIGURE, "podman run", "ms", *map(str, ms(podman_samples)))
        print(f"podman run -d --network -p, until it answers: median {statistics.median(podman_samples) * 1000:.0f} ms")
    if docker_error:
        emit("status", FIGURE, "docker run", docker_error)
        print(f"docker run: {docker_error}")
    else:
        emit("samples", FIGURE, "docker run", "ms", *map(str, ms(docker_samples)))
        print(f"docker run -d --network -p, until it answers: median {statistics.median(docker_samples) * 1000:.0f} ms")
    if not host_clean:
        raise SystemExit(2)


if __name__ == "__main__":
    main()
