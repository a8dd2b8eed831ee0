#!/usr/bin/env bash
# Fine-tuning jobs, measured (docs/jobs.md, "Evidence"). Run from anywhere in the checkout, with the
# shared data beside it (../shared, or SHARED=DIR). Needs a JDK, curl and python3. Heavy: minutes.
#
#   src/bench/jobs.sh sst2       SST-2 on 4 emulated devices through the packaged jar: one process is
#                                API + worker, a second process is another worker, both on one
#                                PostgreSQL. Profiles the model on this host first (one intra-op thread,
#                                as workers train) so the plan predicts with measured costs, then prints
#                                the per-round table with predicted and emulated round latency.
#                                ROUNDS (300), EVAL_EVERY (50), LR (0.1), SEED (1).
#   src/bench/jobs.sh pretrained the same through the job API on the pretrained preset all-minilm-l6-v2 with
#                                LoRA blocks: profiled on this host, planned, then a job that names only
#                                the plan, the task and the data (AdamW and its schedule by default).
#                                TASK (sst2), ROUNDS (1300), EVAL_EVERY (250), BATCH (32), SEQ (64: the longest
#                                row), SEQ_PROFILE (14: the mean padded length of SST-2 batches grouped by
#                                length, which the profile times so that the plan predicts the mean round),
#                                EXECUTION (fused: one pass per round for all devices; per-device), THREADS
#                                (PyTorch threads of each worker and of the calibration and profile, 1).
#   src/bench/jobs.sh overhead   seconds per round through the job system against the engine's own loop
#                                on the same work, alternating, in one JVM (WorkerOverheadBench), for
#                                each of LOCAL_ITERATIONS ("1 5") per round. ROUNDS per phase (30), REPS (3),
#                                EXECUTION (per-device: four items a round against four device trainers;
#                                fused: one item a round against one trainer of every block), MODEL (small:
#                                the seeded 4-layer model with layer blocks; minilm: the pretrained MiniLM, LoRA),
#                                OVERLAP (true: the worker stores an item while it trains the next; false: one
#                                after the other, loladeft.jobs.worker.overlap), CHECKPOINT_EVERY (10: the worker
#                                stores a round's blocks every tenth round, keeping them in hand between;
#                                1: every round, loladeft.jobs.worker.checkpoint-every).
#
# Every JVM here preloads the build's MKL shim, target/native/libmkl-any-cpu.so, when the build made it
# (Linux x86_64 with a C compiler), as the tests and the image do: without it MKL takes its generic path
# on AMD CPUs (docs/finetune.md §11.5, "Found and fixed"). The report says whether it was active.
# Reports go to target/jobs-bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Idle OpenMP threads sleep instead of spinning: with THREADS > 1 on a shared host a spinning
# thread takes the core the training thread needs (docs/finetune.md, engine against PyTorch).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
OUT=target/jobs-bench
SHARED=$(cd "${SHARED:-../shared}" && pwd)
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
SHIM=$(pwd)/target/native/libmkl-any-cpu.so
# The command that starts a JVM here, with the MKL shim preloaded when the build made it; set after each
# command's build (which makes the shim). env execs java, so $! of a background JVM is java's own pid.
JAVA=(java)
shim() {
  if [ -e "$SHIM" ]; then
    JAVA=(env LD_PRELOAD="$SHIM" java)
    echo "MKL shim: LD_PRELOAD=$SHIM (active)"
  else
    echo "MKL shim: not built, not preloaded"
  fi
}

# Process 1 is the API and a worker, with the embedded PostgreSQL on a fixed port; process 2 is a
# worker only, on the same database. Both train on THREADS intra-op threads (1 by default).
start_processes() {
  work=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
  PGPORT=${PGPORT:-15432}
  COMMON=(--loladeft.auth.enabled=false --loladeft.files.roots="$SHARED" --loladeft.jobs.worker.host-flops="$FLOPS"
    --loladeft.jobs.worker.torch-threads="${THREADS:-1}"
    --logging.level.root=WARN --logging.level.io.loladeft=INFO "$@")
  # Process 1: API and a worker, with the embedded PostgreSQL on a fixed port so process 2 can join.
  "${JAVA[@]}" -Dai.djl.offline=true -jar "$JAR" --server.port=18080 --management.server.port=18081 \
    --loladeft.embedded-db.data-dir="$work/pg" --loladeft.embedded-db.port=$PGPORT \
    --loladeft.jobs.worker.name=worker-1 "${COMMON[@]}" > "$OUT/process-1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 180); do curl -fs localhost:18080/readyz > /dev/null && break; sleep 1; done
  # Process 2: a worker only, on the same database.
  "${JAVA[@]}" -Dai.djl.offline=true -jar "$JAR" --loladeft.role=worker --server.port=18090 --management.server.port=18091 \
    --spring.datasource.url="jdbc:postgresql://localhost:$PGPORT/postgres" --spring.datasource.username=postgres \
    --spring.datasource.password=postgres --loladeft.jobs.worker.name=worker-2 "${COMMON[@]}" > "$OUT/process-2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 180); do curl -fs localhost:18090/readyz > /dev/null && break; sleep 1; done
}

api() { curl -fsS -H 'Content-Type: application/json' "$@"; }

fleet() {
  api -X POST localhost:18080/api/v1/devices/batch -d '{"devices": [
    {"name": "jetson-a", "computeFlops": 4e11, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -90, "labels": {"zone": "bench"}},
    {"name": "jetson-b", "computeFlops": 2e11, "memoryBytes": 8e9, "txPowerDbm": 23, "channelGainDb": -95, "labels": {"zone": "bench"}},
    {"name": "phone-c",  "computeFlops": 1e11, "memoryBytes": 4e9, "txPowerDbm": 20, "channelGainDb": -95, "labels": {"zone": "bench"}},
    {"name": "phone-d",  "computeFlops": 5e10, "memoryBytes": 4e9, "txPowerDbm": 20, "channelGainDb": -100, "labels": {"zone": "bench"}}]}' > /dev/null
}

case "${1:-}" in
  overhead)
    ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp-test.txt" -Dmdep.includeScope=test
    shim > "$OUT/overhead.md"
    cat "$OUT/overhead.md"
    for e in ${LOCAL_ITERATIONS:-1 5}; do
      "${JAVA[@]}" -Dai.djl.offline=true -cp "target/classes:target/test-classes:$(cat "$OUT/cp-test.txt")" \
        io.loladeft.jobs.WorkerOverheadBench "$SHARED/glue" "$SHARED/roberta-base" "${ROUNDS:-30}" "${REPS:-3}" "$e" \
        "${EXECUTION:-per-device}" "${MODEL:-small}" "${OVERLAP:-true}" "${CHECKPOINT_EVERY:-10}" \
        2> "$OUT/overhead-$e.log" | grep -E '^\||^[0-9]+ rounds|^median' | tee -a "$OUT/overhead.md"
      echo | tee -a "$OUT/overhead.md"
    done
    ;;
  sst2)
    ./mvnw -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime
    JAR=$(ls target/lola-deft-*.jar | grep -v original | head -1)
    shim
    ENGINE=("${JAVA[@]}" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -cp "target/classes:$(cat "$OUT/cp.txt")"
      io.loladeft.finetune.cli.FinetuneMain)
    "${ENGINE[@]}" calibrate --out "$OUT/calibration.json" > /dev/null
    FLOPS=$(python3 -c "import json; print(json.load(open('$OUT/calibration.json'))['hostFlops'])")
    echo "host FLOP/s, one thread: $FLOPS"
    "${ENGINE[@]}" profile --model small --kind layer --batch 32 --seq 64 --dropout 0.1 --optimizer sgd \
      --warmup 3 --iterations 9 --host-flops "$FLOPS" --profile-out "$OUT/profile.json" --out "$OUT/profile-report.json" --quiet
    echo "profile (s per local iteration by depth): $(cat "$OUT/profile.json")"

    start_processes
    fleet
    python3 - "$OUT/profile.json" "$FLOPS" > "$work/plan.json" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
profile["hostFlops"] = float(sys.argv[2])
print(json.dumps({"bandwidthHz": 2e7, "labelSelector": "zone=bench", "maxBlocksPerDevice": 2,
    "model": {"architecture": {"layers": 4, "hidden": 128, "heads": 4, "intermediate": 512, "vocab": 50265, "maxPositions": 130},
              "block": {"kind": "layer"}, "profile": profile},
    "training": {"batchSize": 32, "seqLen": 64, "localIterations": 1}}))
PY
    api -X POST localhost:18080/api/v1/plans -d @"$work/plan.json" > "$OUT/plan.json"
    PLAN=$(python3 -c "import json; print(json.load(open('$OUT/plan.json'))['id'])")
    JOB=$(api -X POST localhost:18080/api/v1/jobs -d "{\"planId\": \"$PLAN\", \"task\": \"sst2\",
      \"dataDir\": \"$SHARED/glue\", \"tokenizerDir\": \"$SHARED/roberta-base\", \"rounds\": ${ROUNDS:-300},
      \"optimizer\": \"sgd\", \"learningRate\": ${LR:-0.1}, \"evalEvery\": ${EVAL_EVERY:-50}, \"seed\": ${SEED:-1}}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    echo "plan $PLAN, job $JOB: following its events"
    curl -sN localhost:18080/api/v1/jobs/$JOB/events | grep --line-buffered '"devMetrics"\|"state"' | cut -c1-160 || true
    api localhost:18080/api/v1/jobs/$JOB > "$OUT/job.json"
    python3 src/bench/job_table.py "$OUT/plan.json" "$OUT/job.json" | tee "$OUT/sst2.md"
    ;;
  pretrained)
    ./mvnw -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime
    JAR=$(ls target/lola-deft-*.jar | grep -v original | head -1)
    shim
    ENGINE=("${JAVA[@]}" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="${THREADS:-1}" -cp "target/classes:$(cat "$OUT/cp.txt")"
      io.loladeft.finetune.cli.FinetuneMain)
    CACHE=$(pwd)/data/models
    "${ENGINE[@]}" calibrate --out "$OUT/calibration.json" > /dev/null
    FLOPS=$(python3 -c "import json; print(json.load(open('$OUT/calibration.json'))['hostFlops'])")
    echo "host FLOP/s, ${THREADS:-1} thread(s): $FLOPS"
    "${ENGINE[@]}" profile --pretrained all-minilm-l6-v2 --model-cache "$CACHE" --kind lora --batch "${BATCH:-32}" \
      --seq "${SEQ_PROFILE:-14}" --warmup 2 --iterations 5 --host-flops "$FLOPS" --profile-out "$OUT/profile-minilm.json" \
      --out "$OUT/profile-minilm-report.json" --quiet
    echo "profile (s per local iteration by depth): $(cat "$OUT/profile-minilm.json")"
    start_processes --loladeft.jobs.worker.model-cache="$CACHE"
    fleet
    python3 - "$OUT/profile-minilm.json" "$FLOPS" "${ROUNDS:-1300}" "${BATCH:-32}" "${SEQ:-64}" > "$work/plan.json" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
profile["hostFlops"] = float(sys.argv[2])
print(json.dumps({"bandwidthHz": 2e7, "labelSelector": "zone=bench", "maxBlocksPerDevice": 2,
    "model": {"architecture": {"layers": 6, "hidden": 384, "heads": 12, "intermediate": 1536, "vocab": 30522, "maxPositions": 512},
              "pretrained": "all-minilm-l6-v2", "block": {"kind": "lora", "rank": 8, "alpha": 16}, "profile": profile},
    "training": {"batchSize": int(sys.argv[4]), "seqLen": int(sys.argv[5]), "localIterations": 1, "rounds": int(sys.argv[3])}}))
PY
    api -X POST localhost:18080/api/v1/plans -d @"$work/plan.json" > "$OUT/plan-minilm.json"
    PLAN=$(python3 -c "import json; print(json.load(open('$OUT/plan-minilm.json'))['id'])")
    JOB=$(api -X POST localhost:18080/api/v1/jobs -d "{\"planId\": \"$PLAN\", \"task\": \"${TASK:-sst2}\",
      \"dataDir\": \"$SHARED/glue\", \"evalEvery\": ${EVAL_EVERY:-250}, \"execution\": \"${EXECUTION:-fused}\"}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    echo "plan $PLAN, job $JOB: following its events"
    curl -sN localhost:18080/api/v1/jobs/$JOB/events | grep --line-buffered '"devMetrics"\|"state"' | cut -c1-200 || true
    api localhost:18080/api/v1/jobs/$JOB > "$OUT/job-minilm.json"
    python3 src/bench/job_table.py "$OUT/plan-minilm.json" "$OUT/job-minilm.json" | tee "$OUT/${TASK:-sst2}-minilm.md"
    curl -fsS localhost:18080/api/v1/jobs/$JOB/model -o "$OUT/${TASK:-sst2}-minilm-model.zip"
    ;;
  *)
    echo "usage: $0 sst2|pretrained|overhead" >&2
    exit 2
    ;;
esac
