#!/usr/bin/env bash
# Edge benchmark: runs the Swift edge (ascent bench-edge-server) and a minimal C epoll broadcast
# server (bench/c-broadcast) one after the other under the same load from bench/edge-load (a C
# client: several processes, several 127.0.0.x source addresses), and prints one table.
#
# usage: bench/edge.sh [CONNECTIONS] [MEASURE_SECONDS]
#   env: PROCESSES (load processes, default 4), WARMUP (s, default 3), WORKERS (Swift epoll
#        threads, default 2), HZ (ticks/s, default 10), PAYLOAD (bytes, default 40), PORT (9010)
# Both servers broadcast the same 40-byte binary tick (tick number + send time) HZ times a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

connections="${1:-10000}"
measure="${2:-10}"
processes="${PROCESSES:-4}"
warmup="${WARMUP:-3}"
workers="${WORKERS:-2}"
hz="${HZ:-10}"
payload="${PAYLOAD:-40}"
port="${PORT:-9010}"

command -v gcc >/dev/null || { echo "edge.sh: needs gcc (apt-get install gcc) to build the C baseline and load client" >&2; exit 1; }
[ -f /usr/include/openssl/sha.h ] || { echo "edge.sh: needs libssl-dev (scripts/setup installs it)" >&2; exit 1; }

out=.build/bench
mkdir -p "$out"
gcc -O2 -Wall -o "$out/c-broadcast" bench/c-broadcast/server.c -lcrypto
gcc -O2 -Wall -o "$out/edge-load" bench/edge-load/load.c
swift build -c release --product ascent >/dev/null

server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# Starts a server in the background, waits for its "listening" line, runs the load against it.
measure_server() {
    local label="$1"; shift
    local log="$out/$label.log"
    "$@" >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
    grep -q listening "$log" || { echo "edge.sh: $label did not start:"; cat "$log"; exit 1; }
    sleep 0.5
    local base_kb
    base_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
    "$out/edge-load" "$port" "$connections" "$processes" "$warmup" "$measure" "$server_pid" "$label" "$base_kb"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    server_pid=""
    sleep 1  # let the kernel retire the closed connections before the next run
}

echo "edge benchmark: $connections connections, $processes load processes, $hz ticks/s, $payload-byte frames,"
echo "window ${measure}s after ${warmup}s warm-up, Swift workers $workers, $(nproc) cores"
printf "%-10s %13s %10s %9s %8s %8s %8s %8s %10s %8s\n" server connected frames/s delivered "p50 ms" "p99 ms" "p99.9" "max ms" "cpu-us/fr" "kB/conn"
measure_server swift .build/release/ascent bench-edge-server --port "$port" --workers "$workers" --hz "$hz" --payload "$payload"
measure_server c "$out/c-broadcast" "$port" "$hz" "$payload"
