#!/bin/bash
# Instructions the server spends per API create, counted by callgrind: unlike seconds on a
# shared 2-core VM (whose speed drifts by a third within minutes), the count repeats within
# about 0.5% from run to run, so a change of 2% in the create path shows.
#
# Starts `skiff server` under valgrind (temp data dir, token auth), creates 200 ConfigMaps to
# warm up, zeroes the counters, then has wrk create 1 KiB ConfigMaps over 16 keep-alive TLS
# connections (PER_THREAD answers on each of wrk's 2 threads) and dumps the counts.
# Prints instructions per create, with and without the 16 TLS handshakes of the measured run.
#
# Needs: valgrind, wrk (apt-get install valgrind wrk).
# Run: tests/bench/create_instructions.sh build/cmd/skiff/skiff [PER_THREAD=500]
set -euo pipefail
binary=$(realpath "$1")
per_thread=${2:-500}
work=$(mktemp -d /tmp/skiff-create-instructions.XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo 'bench-token,admin,admin,"system:masters"' > "$work/tokens.csv"
cat > "$work/create.lua" <<'LUA'
-- POSTs 1 KiB ConfigMaps named <prefix>-<thread>-<n>; each thread stops after `limit` answers.
local counter, answered, threads = 0, 0, 0
id, limit, prefix = 0, 0, "cm"
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  limit = tonumber(args[1])
  prefix = args[2]
end
local payload = string.rep("x", 1000)
function request()
  counter = counter + 1
  local body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"' .. prefix .. "-" ..
               id .. "-" .. counter .. '"},"data":{"payload":"' .. payload .. '"}}'
  return wrk.format("POST", "/api/v1/namespaces/default/configmaps",
                    {["Content-Type"] = "application/json",
                     ["Authorization"] = "Bearer bench-token"}, body)
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  io.write(string.format("requests %d non-2xx %d\n", summary.requests, summary.errors.status))
end
LUA

valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$binary" server \
  --data-dir "$work/data" --disable-agent --bind-address 127.0.0.1 \
  --https-listen-port "$port" --token-auth-file "$work/tokens.csv" --log-level warn \
  > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 600); do
  curl -sk -o /dev/null "https://127.0.0.1:$port/healthz" && break
  sleep 0.5
done
url="https://127.0.0.1:$port"
wrk -t2 -c16 -d20s -s "$work/create.lua" "$url" -- 100 warm > "$work/warm.out"
callgrind_control -z "$server" > /dev/null
wrk -t2 -c16 -d60s -s "$work/create.lua" "$url" -- "$per_thread" run > "$work/run.out"
callgrind_control -d "$server" > /dev/null
read -r requests failed < <(awk '/^requests/ {print $2, $4}' "$work/run.out")
dump="$work/callgrind.out.1"  # the first (and only) dump asked for
total=$(awk '/^summary:/ {print $2}' "$dump")
handshakes=$(callgrind_annotate --inclusive=yes --threshold=100 "$dump" 2>/dev/null |
             awk '/SSL_do_handshake/ && !found {gsub(",", "", $1); print $1; found = 1}')
echo "creates: $requests (non-2xx: $failed)"
echo "instructions per create: $((total / requests))"
echo "instructions per create without the TLS handshakes: $(((total - ${handshakes:-0}) / requests))"
