#!/usr/bin/env bash
# Writes a compose project with N services (default 200) into DIR, as a realistic large manifest:
# images, commands, environment, ports, volumes, networks, health checks, limits and depends_on.
set -euo pipefail
dir=${1:?usage: generate-services.sh DIR [N]}
n=${2:-200}
mkdir -p "$dir/big"
{
  echo "services:"
  for i in $(seq 1 "$n"); do
    cat <<YAML
  svc$i:
    image: localhost:5000/bosun/busybox:1.35
    command: ["httpd", "-f", "-p", "80"]
    environment:
      INDEX: "$i"
      MODE: production
    ports:
      - "127.0.0.1:$((20000 + i)):80"
    volumes:
      - data$i:/data
    networks: [front, back]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
      interval: 10s
      retries: 3
    mem_limit: 64m
    cpus: 0.25
    restart: unless-stopped
YAML
    if [ "$i" -gt 1 ]; then echo "    depends_on: [svc$((i - 1))]"; fi
  done
  echo "networks:"
  echo "  front: {}"
  echo "  back: {internal: true}"
  echo "volumes:"
  for i in $(seq 1 "$n"); do echo "  data$i: {}"; done
} > "$dir/big/compose.yaml"
