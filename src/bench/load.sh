#!/usr/bin/env bash
# Load runs on loopback against the packaged service (authentication on, embedded PostgreSQL in a
# temporary directory). Needs wrk (Debian package) and a JDK.
#
#   src/bench/load.sh plans [seconds] [connections]   POST /api/v1/plans only: an inline fleet of 20 devices
#                                                     and roberta-base with LoRA (12 blocks), JBBA
#   src/bench/load.sh mixed [seconds] [connections]   30% plans of the same fleet, registered (by name),
#                                                     70% reads (a device, a label list, a stored plan)
#
# ALGORITHM=crunch (or any other) plans with that algorithm instead of jbba.
# Prints throughput, p50/p99 latency, non-2xx answers, and the service's heap after a full GC and
# its RSS, before and after the measured run (memory must stay flat).
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-plans}
seconds=${2:-30}
connections=${3:-16}
port=18080
mport=18081
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

command -v wrk > /dev/null || { echo "needs wrk: apt-get install wrk"; exit 1; }
./mvnw -q -B -DskipTests package   # never measure a stale jar
key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
java -Dai.djl.offline=true -Xmx1g -jar target/lola-deft-*.jar --server.port=$port --management.server.port=$mport \
  --loladeft.embedded-db.data-dir="$work/pg" --loladeft.auth.api-keys="bench=$hash:operator" \
  --logging.level.root=WARN > "$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fs localhost:$port/readyz > /dev/null && break; sleep 1; done

api() { curl -fs -H "X-API-Key: $key" -H 'Content-Type: application/json' "$@"; }
MODE=$mode ALGORITHM=${ALGORITHM:-jbba} python3 - "$work/body.json" "$work/fleet.json" <<'PY'
import json, os, sys
devices = [{"name": f"edge-{i:02d}", "computeFlops": 4e11 + 1e11 * (i % 7), "memoryBytes": 6e9 + 5e8 * (i % 5),
            "txPowerDbm": 20 + (i % 4), "channelGainDb": -85 - 2 * (i % 10), "labels": {"zone": "bench"}} for i in range(20)]
json.dump({"devices": devices}, open(sys.argv[2], "w"))
inline = os.environ["MODE"] == "plans"
body = {"algorithm": os.environ["ALGORITHM"], "bandwidthHz": 2e7,
        "training": {"batchSize": 16, "seqLen": 128, "rounds": 100}}
if inline:
    body["devices"] = [{k: v for k, v in d.items() if k != "labels"} for d in devices]
    body["model"] = {"architecture": {"layers": 12, "hidden": 768, "heads": 12, "intermediate": 3072,
                                      "vocab": 50265, "maxPositions": 514}, "block": {"kind": "lora", "rank": 8, "alpha": 16}}
else:
    body["deviceNames"] = [d["name"] for d in devices]
    body["model"] = {"name": "roberta-base"}
json.dump(body, open(sys.argv[1], "w"))
PY
api -X POST localhost:$port/api/v1/devices/batch -d @"$work/fleet.json" > /dev/null
api -X POST localhost:$port/api/v1/model-presets/roberta-base > /dev/null
plan_id=$(api -X POST localhost:$port/api/v1/plans -d @"$work/body.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

memory() {
  jcmd $pid GC.run > /dev/null 2>&1 || true
  sleep 1
  heap=$(curl -fs localhost:$mport/actuator/prometheus | awk '/^jvm_memory_used_bytes/ && /area="heap"/ {s += $NF} END {printf "%.0f", s / 1048576}')
  rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/$pid/status)
  echo "$1: heap after GC ${heap} MiB, RSS ${rss} MiB"
}

export PLAN_BODY_FILE="$work/body.json" API_KEY="$key" MODE="$mode" PLAN_ID="$plan_id"
echo "warm-up: 15 s"
wrk -t2 -c"$connections" -d15s -s src/bench/load.lua http://localhost:$port > /dev/null
memory "before"
echo "measured: mode $mode, algorithm ${ALGORITHM:-jbba}, $seconds s, $connections connections, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
wrk -t2 -c"$connections" -d"${seconds}s" -s src/bench/load.lua http://localhost:$port
memory "after"
curl -fs localhost:$port/livez > /dev/null && echo "service alive"
