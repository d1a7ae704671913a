#!/usr/bin/env bash
# A private redis-server for the tests (the Redis state is tested against the real server).
#
#   scripts/redis.sh install      install redis-server from Debian's packages (needs root or sudo)
#   scripts/redis.sh start DIR    start one on 127.0.0.1 on a free port, no persistence, its pid
#                                 file, log and working files in DIR; prints redis://127.0.0.1:PORT/0
#   scripts/redis.sh stop DIR     stop the one started in DIR, by the pid in DIR/redis.pid
#
# The binary is $REDIS_SERVER if set, else redis-server on PATH, else /usr/bin or /usr/sbin.
set -euo pipefail

die() { echo "redis.sh: $*" >&2; exit 1; }

server_binary() {
  local candidate
  for candidate in "${REDIS_SERVER:-}" "$(command -v redis-server || true)" \
    /usr/bin/redis-server /usr/sbin/redis-server; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

install() {
  if bin=$(server_binary); then
    echo "redis-server: already installed ($("$bin" --version))"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo; cannot install redis-server"
    sudo="sudo -n"
  fi
  # The package would start a system-wide server on port 6379; forbid service starts while
  # installing, unless the machine already forbids them.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  local status=0
  { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends redis-server; } \
    || status=$?
  if [ -n "$made_policy" ]; then $sudo rm -f "$policy"; fi
  [ "$status" -eq 0 ] || die "apt-get install redis-server failed (exit $status)"
  "$(server_binary)" --version
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when a server answers PING on 127.0.0.1:$1.
answers() {
  local reply=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&-
  [[ "$reply" == "+PONG"* ]]
}

start() {
  local dir=${1:?usage: redis.sh start DIR}
  local bin port
  bin=$(server_binary) || die "redis-server not found (run scripts/redis.sh install)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  port=$(free_port)
  local status=0
  "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" || status=$?
  [ "$status" -eq 0 ] || die "$bin exited with status $status: $(tail -n 3 "$dir/redis.log" 2>/dev/null)"
  for _ in $(seq 100); do
    if answers "$port"; then
      echo "$port" >"$dir/redis.port"
      echo "redis://127.0.0.1:$port/0"
      return 0
    fi
    sleep 0.05
  done
  stop "$dir" >/dev/null 2>&1 || true
  die "redis-server did not answer on port $port: $(tail -n 3 "$dir/redis.log" 2>/dev/null)"
}

# True while process $1 runs (a zombie waiting for its parent to reap it has stopped).
running() {
  kill -0 "$1" 2>/dev/null || return 1
  ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

stop() {
  local dir=${1:?usage: redis.sh stop DIR}
  local pid
  [ -f "$dir/redis.pid" ] || die "no redis.pid in $dir"
  pid=$(cat "$dir/redis.pid")
  kill -TERM "$pid" 2>/dev/null || { rm -f "$dir/redis.pid"; return 0; }
  for _ in $(seq 100); do
    running "$pid" || { rm -f "$dir/redis.pid"; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/redis.pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: redis.sh install | start DIR | stop DIR" ;;
esac
