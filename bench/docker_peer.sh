# Sourced by the bench scripts (POSIX sh): the docker peer on a private dockerd (bench/private_dockerd.py) that
# the script starts itself and stops by pid, leaving the host as found. Needs $here (the repository).
#   docker_up DIR   start it (DOCKER_HOST, DOCKER_CONFIG exported); on failure $docker_reason says why
#   docker_down     stop it, clean up, and fail (exit 2) when the host is not as found
DOCKER=/usr/bin/docker
docker_root=""
docker_reason=""
docker_up() {
  docker_root=$1
  mkdir -p "$docker_root"
  if docker_env=$(python3 "$here/bench/private_dockerd.py" start "$docker_root" 2>"$docker_root.err"); then
    eval "$docker_env"
    export DOCKER_HOST DOCKER_CONFIG
    return 0
  fi
  docker_reason="private dockerd cannot start here: $(tail -1 "$docker_root.err")"
  return 1
}
docker_down() {
  [ -n "$docker_root" ] || return 0
  set -- "$docker_root"
  docker_root=""
  rm -f "$1.err"
  unset DOCKER_HOST DOCKER_CONFIG
  python3 "$here/bench/private_dockerd.py" stop "$1"
}
