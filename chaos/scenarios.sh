# Scenarios of chaos/run (sourced): each prints one result line per check it makes.

# compose_kill REPO I: the changing desired state of commit I — `steady` never changes, `web` gets a new env,
# `lim` another memory limit (applied in place), `extra` comes and goes.
compose_kill() {
  mkdir -p "$1/$prefix"
  {
    printf 'name: %s\nservices:\n' "$prefix"
    printf '  steady:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s\n    networks: [net]\n' "$image"
    printf '  web:\n    image: %s\n    command: ["httpd", "-f", "-p", "80"]\n    stop_grace_period: 1s\n    networks: [net]\n    environment: {ROUND: "%s"}\n    ports: ["127.0.0.1:%s:80"]\n' "$image" "$2" "$kill_port"
    printf '  lim:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s\n    mem_limit: %sm\n' "$image" $((32 + 16 * ($2 % 2)))
    if [ $(($2 % 2)) = 0 ]; then
      printf '  extra:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s\n    networks: [net]\n' "$image"
    fi
    printf 'networks:\n  net: {}\n'
  } > "$1/$prefix/compose.yaml"
}

scenario_kill() {
  local dir=$work/kill state=$work/kill/state repo=$work/kill/repo problems="" kills=0 mid=0
  kill_port=$(free_port)
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  busybox_state "$state"
  compose_kill "$repo" 0 && commit "$repo" "round 0"
  agent_config "$dir" "$repo" "$state"
  start_agent "$dir"
  if ! wait_for 60 converged_to "$state" "$(head_of "$repo")"; then
    result agent-kill "none (first convergence)" "did not converge in 60 s" FAIL "see $dir/agent.log"; return
  fi
  local steady lim
  steady=$(pid_of "$state" "$prefix-steady-1"); lim=$(pid_of "$state" "$prefix-lim-1")
  for round in $(seq 1 "$n"); do
    compose_kill "$repo" "$round" && commit "$repo" "round $round"
    local target delay
    target=$(head_of "$repo")
    delay=$(python3 -c "import random; print(round(random.uniform(0, 2.5), 2))")
    sleep "$delay"
    if ! grep -q "$target" <(last_commit "$state"); then mid=$((mid + 1)); fi
    kill -9 "$agent_pid"; wait "$agent_pid" 2>/dev/null; kills=$((kills + 1))
    start_agent "$dir"
    if ! wait_for 60 converged_to "$state" "$target"; then
      problems+="round $round (kill after ${delay}s): not converged to $target in 60 s ($(last_commit "$state")); "; continue
    fi
    kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null
    no_changes --repo "$repo" --path "$prefix" --state-dir "$state" || problems+="round $round: plan after convergence is not empty; "
    local orphans
    orphans=$(python3 "$here/chaos/orphans.py" "$state" "$prefix" "$dir/seen.json") || problems+="round $round (kill after ${delay}s): orphans: ${orphans//$'\n'/; }; "
    verify "$state" || problems+="round $round: journal verify failed; "
    [ "$(pid_of "$state" "$prefix-steady-1")" = "$steady" ] || problems+="round $round: steady (unchanged) was restarted ($steady -> $(pid_of "$state" "$prefix-steady-1")); "
    [ "$(pid_of "$state" "$prefix-lim-1")" = "$lim" ] || problems+="round $round: lim (memory limit changed in place) was restarted; "
    log "agent-kill round $round: killed after ${delay}s, converged to ${target:0:12}"
    start_agent "$dir"
  done
  local interrupted
  interrupted=$(cat "$state"/journal/*.jsonl | grep -c '"interrupted"')
  if [ -z "$problems" ]; then
    result agent-kill "SIGKILL of the agent $kills times after 0-2.5 s, during a changing desired state ($mid kills before the commit had converged)" \
      "converged to each commit after restart ($interrupted interrupted convergences journaled and resumed)" PASS \
      "plan empty, no orphans, steady and lim never restarted, journal verifies"
  else
    result agent-kill "SIGKILL of the agent $kills times after 0-2.5 s" "see reason" FAIL "$problems"
  fi
  kill -TERM "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null
}

# compose_one DIR NAME ROUND [EXTRA-SERVICE-YAML]: one project, service `svc` (env ROUND), and more services.
compose_one() {
  mkdir -p "$1"
  { printf 'name: %s\nservices:\n' "$2"
    printf '  svc:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s\n    environment: {ROUND: "%s"}\n' "$image" "$3"
    if [ -n "${4:-}" ]; then printf "%s\n" "$4"; fi
  } > "$1/compose.yaml"
}
count() { cat "$1"/journal/*.jsonl 2>/dev/null | grep -c "$2"; }
children_of() { pgrep -P "$1" | tr '\n' ' '; }

scenario_git() {
  local dir=$work/git state=$work/git/state root=$work/git/served port project=${prefix}g
  local repo=$root/desired
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  busybox_state "$state"
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "round 1"
  port=$(free_port)
  start_daemon() { git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$root" --export-all "$root" >> "$dir/daemon.log" 2>&1 & daemon_pid=$!; pids+=("$daemon_pid"); wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; }
  start_daemon
  agent_config "$dir" "git://127.0.0.1:$port/desired" "$state"
  start_agent "$dir"
  local first
  first=$(head_of "$repo")
  if ! wait_for 60 converged_to "$state" "$first"; then result git-stop "none" "no first convergence" FAIL "see $dir/agent.log"; return; fi
  local before rejected_before
  before=$(pid_of "$state" "$project-svc-1"); rejected_before=$(count "$state" '"rejected"')
  head -c 48M /dev/urandom > "$repo/$project/payload.bin"
  compose_one "$repo/$project" "$project" 2 && commit "$repo" "round 2, with 48 MB of payload"
  local second caught=no
  second=$(head_of "$repo")
  # the daemon forks a child per connection: kill both as soon as the agent's fetch is being served
  local deadline=$((SECONDS + 15))
  while [ $SECONDS -lt $deadline ]; do
    if [ -n "$(children_of "$daemon_pid")" ]; then sleep 0.05; caught=yes; break; fi
    sleep 0.01
  done
  kill_tree "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
  local journaled=no
  wait_for 20 bash -c "[ \$(cat '$state'/journal/*.jsonl | grep -c '\"rejected\"') -gt $rejected_before ]" && journaled=yes
  local error after applied problems=""
  error=$(grep -E "event=source" "$dir/agent.log" | head -1 | sed 's/^time=[^ ]* //' | cut -c1-200)
  after=$(pid_of "$state" "$project-svc-1"); applied=$(last_commit "$state")
  [ "$caught" = yes ] || problems+="the fetch was not caught in flight (killed the daemon afterwards); "
  [ "$journaled" = yes ] || problems+="no rejected record in the journal; "
  [ "$after" = "$before" ] || problems+="svc was restarted ($before -> $after); "
  [ "${applied%% *}" = "$first" ] || problems+="the host moved to ${applied:0:12} without the server; "
  start_daemon
  wait_for 60 converged_to "$state" "$second" || problems+="no recovery: not converged to the new commit 60 s after the server came back; "
  kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null
  verify "$state" || problems+="journal verify failed; "
  local orphans
  orphans=$(python3 "$here/chaos/orphans.py" "$state" "$project" "$dir/seen.json") || problems+="orphans: ${orphans//$'\n'/; }; "
  if [ -z "$problems" ]; then
    result git-stop "git daemon SIGKILLed while serving the agent's fetch of a 48 MB commit" "$error; journaled rejected; svc untouched" PASS "recovered: converged to the new commit once the daemon was back"
  else
    result git-stop "git daemon SIGKILLed mid-fetch" "${error:-no error logged}" FAIL "$problems"
  fi
  kill_tree "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
}

scenario_registry() {
  local dir=$work/registry state=$work/registry/state repo=$work/registry/repo project=${prefix}r port
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  port=$(free_port)
  python3 "$here/chaos/big_image.py" "$work/busybox" "$dir/big" 2 64 || { result registry-stop none "could not build the image" FAIL "big_image.py failed"; return; }
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/storage\nhttp:\n  addr: 127.0.0.1:%s\n' "$dir" "$port" > "$dir/registry.yml"
  start_registry() { /usr/bin/docker-registry serve "$dir/registry.yml" >> "$dir/registry.log" 2>&1 & registry_pid=$!; pids+=("$registry_pid"); wait_for 10 curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; }
  start_registry
  skopeo copy -q --dest-tls-verify=false "oci:$dir/big:big" "docker://127.0.0.1:$port/chaos/big:1" || { result registry-stop none "could not push the image" FAIL "skopeo copy failed"; return; }
  busybox_state "$state"
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "svc only"
  "$bosun" apply --repo "$repo" --state-dir "$state" >/dev/null 2>&1
  local before problems="" caught=no
  before=$(pid_of "$state" "$project-svc-1")
  compose_one "$repo/$project" "$project" 1 "$(printf '  big:\n    image: 127.0.0.1:%s/chaos/big:1\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s' "$port")"
  commit "$repo" "add big"
  "$bosun" apply --repo "$repo" --state-dir "$state" > "$dir/apply.out" 2>&1 &
  local apply_pid=$!
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    if compgen -G "$state/images/tmp/*.partial" >/dev/null; then sleep 0.05; caught=yes; break; fi
    sleep 0.005
  done
  kill -9 "$registry_pid"; wait "$registry_pid" 2>/dev/null
  wait "$apply_pid"; local rc=$?
  local error
  error=$(grep -E "failed|error" "$dir/apply.out" | head -1 | cut -c1-220)
  [ "$caught" = yes ] || problems+="the pull was not caught in flight; "
  [ "$rc" != 0 ] || problems+="apply exited 0 with the registry gone; "
  [ "$(pid_of "$state" "$project-svc-1")" = "$before" ] || problems+="svc was restarted; "
  journal_has "$state" 'r.get("body",{}).get("outcome") in ("failed","partially-failed")' || problems+="no failed convergence in the journal; "
  local orphans
  orphans=$(python3 "$here/chaos/orphans.py" "$state" "$project" "$dir/seen.json") || problems+="after the failed pull: ${orphans//$'\n'/; }; "
  start_registry
  "$bosun" apply --repo "$repo" --switch-source --state-dir "$state" > "$dir/apply2.out" 2>&1 || problems+="no recovery: apply with the registry back failed: $(tail -1 "$dir/apply2.out"); "
  [ "$("$bosun" ps --format json --state-dir "$state" | grep -c '"running"')" = 2 ] || problems+="svc and big are not both running after recovery; "
  no_changes --repo "$repo" --state-dir "$state" || problems+="plan not empty after recovery; "
  verify "$state" || problems+="journal verify failed; "
  orphans=$(python3 "$here/chaos/orphans.py" "$state" "$project" "$dir/seen.json") || problems+="after recovery: ${orphans//$'\n'/; }; "
  if [ -z "$problems" ]; then
    result registry-stop "registry SIGKILLed during the pull of a 128 MB image by bosun apply" "exit $rc: $error; failed convergence journaled; svc untouched; no partial blobs left" PASS "recovered: next apply pulled and started it"
  else
    result registry-stop "registry SIGKILLed mid-pull (apply exit $rc)" "${error:-no error printed}" FAIL "$problems"
  fi
  kill -9 "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null
}

scenario_full() {
  local dir=$work/full mount=$work/full/mnt repo=$work/full/repo project=${prefix}f
  mkdir -p "$mount" "$repo" && git -C "$repo" init -q -b main
  truncate -s 64M "$dir/fs.img" && mkfs.ext4 -q -F "$dir/fs.img" && mount -o loop "$dir/fs.img" "$mount" || { result disk-full none "could not mount a loop filesystem" FAIL "mount -o loop failed"; return; }
  loops+=("$mount")
  local state=$mount/state problems=""
  busybox_state "$state"
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "round 1"
  "$bosun" apply --repo "$repo" --state-dir "$state" >/dev/null 2>&1 || { result disk-full none "first apply failed" FAIL "$(tail -1 "$dir/apply.out" 2>/dev/null)"; return; }
  local before
  before=$(pid_of "$state" "$project-svc-1")
  python3 "$here/chaos/big_image.py" "$work/busybox" "$dir/big" 1 8 >/dev/null
  dd if=/dev/zero of="$mount/filler" bs=1M status=none 2>/dev/null; sync
  # 1. an image import that needs space
  "$bosun" image import "$dir/big" --state-dir "$state" > "$dir/import.out" 2>&1; local import_rc=$?
  # 2. a convergence that needs space: a new service (its container directory, files) and journal records
  dd if=/dev/zero of="$mount/filler2" bs=4k status=none 2>/dev/null; sync
  compose_one "$repo/$project" "$project" 1 "$(printf '  svc2:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s' "$image")"
  commit "$repo" "round 2: svc2"
  "$bosun" apply --repo "$repo" --state-dir "$state" > "$dir/fetch.out" 2>&1; local fetch_rc=$?
  # The directory of the same files is another source: a switch (and the recovery below switches back).
  "$bosun" apply --path "$repo/$project" --switch-source --state-dir "$state" > "$dir/apply.out" 2>&1; local apply_rc=$?
  local import_error apply_error fetch_error
  fetch_error=$(tail -1 "$dir/fetch.out" | cut -c1-160)
  import_error=$(tail -1 "$dir/import.out" | cut -c1-160); apply_error=$(grep -E "failed|rror|bosun:" "$dir/apply.out" | head -1 | cut -c1-160)
  [ "$import_rc" != 0 ] || problems+="image import succeeded on a full filesystem; "
  [ "$apply_rc" != 0 ] || problems+="apply --path succeeded on a full filesystem; "
  grep -q "No space left on device" "$dir/apply.out" || problems+="apply --path did not say No space left on device; "
  [ "$fetch_rc" != 0 ] || problems+="apply --repo succeeded on a full filesystem; "
  python3 -c "import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))" "$state/inventory.json" "$state/images/images.json" 2>/dev/null || problems+="inventory.json or images.json does not parse; "
  verify "$state" || problems+="journal verify failed on the full filesystem: $("$bosun" journal verify --state-dir "$state" 2>&1 | tail -1); "
  journal_has "$state" 'r["kind"]=="end" and r["body"].get("outcome")=="failed" and "No space left" in (r["body"].get("reason") or "")' \
    || problems+="the failed convergence on the full filesystem is not in the journal; "
  local after_full
  after_full=$(pid_of "$state" "$project-svc-1")
  [ "$after_full" = "$before" ] || problems+="svc is not running as before after the failed apply (pid $before -> ${after_full:-none}); "
  rm -f "$mount/filler" "$mount/filler2"; sync
  "$bosun" image import "$dir/big" --state-dir "$state" > "$dir/import2.out" 2>&1 || problems+="no recovery: import failed after freeing space: $(tail -1 "$dir/import2.out"); "
  "$bosun" apply --repo "$repo" --switch-source --state-dir "$state" > "$dir/apply2.out" 2>&1 || problems+="no recovery: apply failed after freeing space: $(tail -1 "$dir/apply2.out"); "
  no_changes --repo "$repo" --state-dir "$state" || problems+="plan not empty after recovery; "
  verify "$state" || problems+="journal verify failed after recovery; "
  local orphans
  orphans=$(python3 "$here/chaos/orphans.py" "$state" "$project" "$dir/seen.json") || problems+="after recovery: ${orphans//$'\n'/; }; "
  if [ -z "$problems" ]; then
    result disk-full "state dir on a 64 MB loop ext4 filled up; image import, then an apply adding svc2" "import exit $import_rc: $import_error; apply --repo exit $fetch_rc: $fetch_error; apply --path exit $apply_rc: $apply_error" PASS "files parse, journal verifies and records the failed convergence, svc untouched, recovered after deleting the filler"
  else
    result disk-full "state dir on a full 64 MB loop ext4 (import exit $import_rc, apply exit $apply_rc)" "import: $import_error; apply --repo: $fetch_error; apply --path: $apply_error" FAIL "$problems"
  fi
}

# flip_bytes FILE: inverts 16 bytes in the middle of FILE, in place
flip_bytes() { python3 -c "import os,sys
f=open(sys.argv[1],'r+b'); size=os.path.getsize(sys.argv[1]); f.seek(size//2); data=f.read(16); f.seek(size//2); f.write(bytes(b^0xff for b in data))" "$1"; }

scenario_corrupt() {
  local dir=$work/corrupt state=$work/corrupt/state repo=$work/corrupt/repo project=${prefix}c problems="" noticed=""
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  busybox_state "$state"
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "svc"
  "$bosun" apply --repo "$repo" --state-dir "$state" >/dev/null 2>&1
  local before layer
  before=$(pid_of "$state" "$project-svc-1")
  layer=$(ls -S "$state"/images/blobs/sha256/* | head -1)
  flip_bytes "$layer"
  # what could notice: importing the image again, creating a container from it, pruning
  "$bosun" image import "$work/busybox" --state-dir "$state" > "$dir/import.out" 2>&1; local import_rc=$?
  compose_one "$repo/$project" "$project" 1 "$(printf '  svc2:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s' "$image")"
  commit "$repo" "svc2"
  "$bosun" apply --repo "$repo" --state-dir "$state" > "$dir/apply.out" 2>&1; local apply_rc=$?
  local layer_now
  layer_now=$(sha256sum "$layer" | cut -d' ' -f1)
  if [ "$layer_now" = "$(basename "$layer")" ]; then noticed="import repaired the blob (exit $import_rc: $(tail -1 "$dir/import.out" | cut -c1-120))"
  elif [ "$import_rc" != 0 ]; then noticed="import failed: $(tail -1 "$dir/import.out" | cut -c1-120)"
  elif [ "$apply_rc" != 0 ]; then noticed="apply failed: $(grep -E "failed|rror" "$dir/apply.out" | head -1 | cut -c1-120)"
  fi
  [ -n "$noticed" ] || problems+="nothing noticed the corrupt layer blob $(basename "$layer" | cut -c1-12): import exit $import_rc, apply (create svc2 from the image) exit $apply_rc, the blob is still corrupt; "
  [ "$(pid_of "$state" "$project-svc-1")" = "$before" ] || problems+="svc was restarted; "
  # recovery as documented: remove the image, prune, import again
  "$bosun" down --state-dir "$state" >/dev/null 2>&1
  "$bosun" image rm "$image" --state-dir "$state" >/dev/null 2>&1
  "$bosun" image prune --state-dir "$state" >/dev/null 2>&1
  "$bosun" image import "$work/busybox" --state-dir "$state" >/dev/null 2>&1 || problems+="no recovery: import after rm + prune failed; "
  [ "$(sha256sum "$layer" | cut -d' ' -f1)" = "$(basename "$layer")" ] || problems+="the blob is still corrupt after rm + prune + import; "
  "$bosun" apply --repo "$repo" --switch-source --state-dir "$state" > "$dir/apply2.out" 2>&1 || problems+="no recovery: apply failed after re-import; "
  verify "$state" || problems+="journal verify failed; "
  if [ -z "$problems" ]; then
    result blob-corrupt "16 bytes flipped in the image's layer blob" "$noticed; svc untouched" PASS "recovered with image rm + prune + import"
  else
    result blob-corrupt "16 bytes flipped in the image's layer blob" "${noticed:-not noticed}" FAIL "$problems"
  fi
}

# kill_in_create STATE NAME PID: SIGKILLs PID as soon as the container NAME's record is in phase preparing (the
# create has begun) and before it leaves it (the create ended); true when it did.
kill_in_create() { python3 -c "import json,os,sys,time
root=sys.argv[1]+'/containers/'+sys.argv[2]; pid=int(sys.argv[3]); end=time.time()+60
while time.time()<end:
  try: phase=json.load(open(root+'/container.json')).get('phase')
  except (OSError,ValueError): phase=None
  if phase is not None:
    if phase!='preparing': sys.exit(1)
    os.kill(pid,9); sys.exit(0)
  try: state=open('/proc/%d/stat'%pid).read().rsplit(')',1)[1].split()[0]
  except OSError: sys.exit(1)
  if state in 'ZX': sys.exit(1)
sys.exit(1)" "$1" "$2" "$3"; }

# slow_cgroup NAME: a cgroup that gives its processes 5% of a CPU (v2 cpu.max or v1 cfs quota), its directory in
# slow_dir (empty when the host has neither): inside it, bosun's container create takes tens of milliseconds,
# long enough for kill_in_create to land inside it.
slow_cgroup() {
  slow_dir=""
  if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
    mkdir -p "/sys/fs/cgroup/$1" && echo "5000 100000" > "/sys/fs/cgroup/$1/cpu.max" && slow_dir=/sys/fs/cgroup/$1
  elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    mkdir -p "/sys/fs/cgroup/cpu/$1" && echo 100000 > "/sys/fs/cgroup/cpu/$1/cpu.cfs_period_us" \
      && echo 5000 > "/sys/fs/cgroup/cpu/$1/cpu.cfs_quota_us" && slow_dir=/sys/fs/cgroup/cpu/$1
  fi
}
stopped() { [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = T ]; }
# slow_cgroup_remove: moves what is left in it (a monitor started after a late kill) back to the root, removes it.
slow_cgroup_remove() {
  [ -n "$slow_dir" ] || return 0
  local pid; for pid in $(cat "$slow_dir/cgroup.procs" 2>/dev/null); do echo "$pid" > "$(dirname "$slow_dir")/cgroup.procs" 2>/dev/null; done
  rmdir "$slow_dir" 2>/dev/null
}

scenario_halfcreate() {
  local dir=$work/half state=$work/half/state repo=$work/half/repo project=${prefix}h problems="" caught="" attempts=0
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  busybox_state "$state"
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "svc"
  "$bosun" apply --repo "$repo" --state-dir "$state" > "$dir/apply0.out" 2>&1 || { result half-create none "first apply failed" FAIL "$(tail -1 "$dir/apply0.out")"; return; }
  local extra=$project-svc2-1
  slow_cgroup "chaos-$prefix"
  while [ -z "$caught" ] && [ $attempts -lt 8 ]; do
    attempts=$((attempts + 1))
    compose_one "$repo/$project" "$project" 1 "$(printf '  svc2:\n    image: %s\n    command: ["sleep", "1000000"]\n    stop_grace_period: 1s\n    environment: {TRY: "%s"}' "$image" "$attempts")"
    commit "$repo" "svc2, try $attempts"
    # The apply starts stopped, is moved into the slow cgroup, then continued.
    ( kill -STOP $BASHPID; exec "$bosun" apply --repo "$repo" --state-dir "$state" ) > "$dir/apply-$attempts.out" 2>&1 &
    local apply_pid=$!
    wait_for 10 stopped "$apply_pid"
    [ -n "$slow_dir" ] && echo "$apply_pid" > "$slow_dir/cgroup.procs"
    kill -CONT "$apply_pid"
    kill_in_create "$state" "$extra" "$apply_pid"; wait "$apply_pid" 2>/dev/null
    if [ -d "$state/containers/$extra" ] && ! python3 -c "import json,sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1]))['containers'] else 1)" "$state/inventory.json" "$extra"; then
      caught="killed in the create of $extra (try $attempts)"
    else  # too late: the create finished; remove svc2 and try again
      compose_one "$repo/$project" "$project" 1 && commit "$repo" "no svc2, try $attempts"
      "$bosun" apply --repo "$repo" --state-dir "$state" > /dev/null 2>&1
    fi
  done
  slow_cgroup_remove
  if [ -z "$caught" ]; then result half-create "apply SIGKILLed inside a container create" "the kill never landed inside a create in $attempts tries" FAIL "injection failed"; return; fi
  # The next commit has no svc2.
  compose_one "$repo/$project" "$project" 1 && commit "$repo" "svc2 removed"
  "$bosun" apply --repo "$repo" --state-dir "$state" > "$dir/apply-next.out" 2>&1 || problems+="the next apply failed: $(tail -1 "$dir/apply-next.out"); "
  grep -q "swept what an interrupted convergence left: removed $extra" "$dir/apply-next.out" || problems+="apply did not report sweeping $extra; "
  [ ! -e "$state/containers/$extra" ] || problems+="$state/containers/$extra is still there; "
  journal_has "$state" 'r["kind"]=="sweep" and any(c["name"]=="'"$extra"'" and c["action"]=="removed" for c in r["body"]["containers"])' || problems+="no sweep record for $extra in the journal; "
  verify "$state" || problems+="journal verify failed; "
  no_changes --repo "$repo" --state-dir "$state" || problems+="plan not empty; "
  local orphans
  orphans=$(python3 "$here/chaos/orphans.py" "$state" "$project" "$dir/seen.json") || problems+="orphans: ${orphans//$'\n'/; }; "
  if [ -z "$problems" ]; then
    result half-create "apply SIGKILLed inside the create of svc2, then a commit without svc2" "$caught; the next apply swept it" PASS "no orphan (directory, mount, cgroup, veth), sweep journaled, journal verifies"
  else
    result half-create "apply SIGKILLed inside the create of svc2, then a commit without svc2" "$caught" FAIL "$problems"
  fi
}
