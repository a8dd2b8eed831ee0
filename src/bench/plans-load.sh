#!/usr/bin/env bash
# Load run of POST /api/v1/plans on loopback: 20 devices x 12 blocks (roberta-base, LoRA r=8), JBBA.
# Starts the packaged service with its embedded PostgreSQL in a temporary directory, warms it up,
# then runs wrk. Usage: src/bench/plans-load.sh [seconds] [connections]   (needs: wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
connections=${2:-16}
port=18080
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

[ -n "$(ls target/lola-deft-*.jar 2>/dev/null)" ] || ./mvnw -q -B -DskipTests package
java -Dai.djl.offline=true -jar target/lola-deft-*.jar --server.port=$port \
  --loladeft.embedded-db.data-dir="$work/pg" --logging.level.root=WARN > "$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fs localhost:$port/readyz > /dev/null && break; sleep 1; done

python3 - "$work/body.json" <<'PY'
import json, sys
devices = [{"name": f"edge-{i:02d}", "computeFlops": 4e11 + 1e11 * (i % 7), "memoryBytes": 6e9 + 5e8 * (i % 5),
            "txPowerDbm": 20 + (i % 4), "channelGainDb": -85 - 2 * (i % 10)} for i in range(20)]
body = {"algorithm": "jbba", "bandwidthHz": 2e7, "devices": devices, "model": {"name": "roberta-base"},
        "training": {"batchSize": 16, "seqLen": 128, "rounds": 100}}
json.dump(body, open(sys.argv[1], "w"))
PY
curl -fs -X POST localhost:$port/api/v1/model-presets/roberta-base > /dev/null || true
export PLAN_BODY_FILE="$work/body.json"
echo "warm-up (10 s)"; wrk -t1 -c"$connections" -d10s -s src/bench/plans-load.lua http://localhost:$port/api/v1/plans > /dev/null
echo "measured run: $seconds s, $connections connections, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
wrk -t1 -c"$connections" -d"${seconds}s" --latency -s src/bench/plans-load.lua http://localhost:$port/api/v1/plans
