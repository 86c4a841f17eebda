"""Lists what bosun left behind under one state directory that nothing owns any more: containers not in the
inventory, monitors without a container, mounts under the state dir, cgroups of the project no container
owns, veths/bridges and nftables chains that bosun's network state no longer lists (among those it listed
before: the seen-file accumulates them across checks), unpacks in progress and temp files.
Usage: orphans.py STATE PROJECT_PREFIX SEEN_FILE. Prints one line per orphan; exit 1 when there is any."""
import glob, json, os, re, subprocess, sys

state, prefix, seen_file = sys.argv[1], sys.argv[2], sys.argv[3]
problems = []
try:
    inventory = json.load(open(f"{state}/inventory.json"))
except Exception as error:  # a torn inventory is itself a finding
    print(f"inventory.json does not parse: {error}")
    sys.exit(1)
owned = set(inventory.get("containers", {}))

for name in inventory.get("pending_containers", {}):
    if name not in owned:
        problems.append(f"a create noted as pending in the inventory was never swept: {name}")

for path in glob.glob(f"{state}/containers/*"):
    if os.path.basename(path) not in owned:
        problems.append(f"container directory not in the inventory: {path}")

for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except OSError:
        continue
    if not argv or not argv[0].endswith(b"bosun-monitor"):
        continue
    text = b" ".join(argv).decode(errors="replace")
    match = re.search(re.escape(state) + r"/containers/([^/ ]+)/", text)
    if match and match.group(1) not in owned:
        problems.append(f"monitor pid {pid} for a container not in the inventory: {match.group(1)}")

for line in open("/proc/self/mountinfo"):
    point = line.split()[4]
    if point.startswith(state + "/"):
        match = re.match(re.escape(state) + r"/containers/([^/]+)/", point)
        if not match or match.group(1) not in owned:
            problems.append(f"mount nothing owns: {point}")

for path in glob.glob(f"/sys/fs/cgroup/*/bosun/{prefix}*") + glob.glob(f"/sys/fs/cgroup/unified/bosun/{prefix}*"):
    if os.path.basename(path) not in owned:
        problems.append(f"cgroup no container owns: {path}")

try:
    network = json.load(open(f"{state}/network/network.json"))
except FileNotFoundError:
    network = {}
veths, bridges, ids = set(), set(), set(os.listdir(f"{state}/network/containers")) if os.path.isdir(f"{state}/network/containers") else set()
for container in network.get("containers", {}).values():
    for interface in container.get("interfaces", []):
        if interface.get("hostVeth"):
            veths.add(interface["hostVeth"])
text = json.dumps(network)
bridges = set(re.findall(r'"(bsn-[0-9a-f]+)"', text))
seen = json.load(open(seen_file)) if os.path.exists(seen_file) else {"veths": [], "bridges": [], "ids": []}
seen = {key: set(value) for key, value in seen.items()}
seen["veths"] |= veths; seen["bridges"] |= bridges; seen["ids"] |= ids
json.dump({key: sorted(value) for key, value in seen.items()}, open(seen_file, "w"))

links = {line.split()[0].split("@")[0] for line in subprocess.run(["ip", "-br", "link"], capture_output=True, text=True).stdout.splitlines() if line.strip()}
for name in sorted((seen["veths"] - veths) & links):
    problems.append(f"veth of a gone container still on the host: {name}")
for name in sorted((seen["bridges"] - bridges) & links):
    problems.append(f"bridge of a gone network still on the host: {name}")
# The state directory's own table: `ip bosun` for the default one, `ip bosun-<scope>` for others.
network_state = json.load(open(f"{state}/network/network.json")) if os.path.exists(f"{state}/network/network.json") else {}
table = "bosun-" + network_state["scope"] if network_state.get("scope") else "bosun"
rules = subprocess.run(["nft", "list", "table", "ip", table], capture_output=True, text=True).stdout
chains = set(re.findall(r"chain (c-[0-9a-f]+) ", rules))
for ident in sorted(seen["ids"] - ids):
    if f"c-{ident}" in chains:
        problems.append(f"nftables chain of a gone container: c-{ident}")
for bridge in sorted(seen["bridges"] - bridges):
    if f"n-{bridge}-" in rules:
        problems.append(f"nftables rules of a gone network: n-{bridge}-*")

if os.path.isdir(f"{state}/images/tmp") and os.listdir(f"{state}/images/tmp"):
    problems.append(f"downloads left in images/tmp: {os.listdir(state + '/images/tmp')}")
for root, dirs, files in os.walk(state):
    depth = root[len(state):].count("/")
    if depth >= 3:
        dirs[:] = []
    for name in dirs + files:
        if name.endswith(".tmp") or name.endswith(".partial") or name.startswith(".dat.nosync"):
            problems.append(f"temp file left: {os.path.join(root, name)}")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
