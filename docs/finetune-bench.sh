#!/usr/bin/env bash
# Benchmarks of the fine-tuning engine (docs/finetune.md). Run from the repository root, with the
# shared data beside the checkout (../shared). Writes reports to target/finetune-bench/.
# Heavy: minutes to tens of minutes on 2 cores; not part of ./mvnw verify.
#   docs/finetune-bench.sh profiles   # step time/memory by depth and block kind, tiny and roberta-base shape
#   docs/finetune-bench.sh memory     # RSS over 1,000 training steps
#   docs/finetune-bench.sh memory-fit # peak training memory per depth vs the planner's analytic Mem
#                                     # (MiniLM and roberta-base shapes, LoRA r=8, a fresh JVM per depth)
#   docs/finetune-bench.sh accuracy   # SST-2, small config from scratch, 4 devices vs centralised
#                                     # (ROUNDS=N sets the schedule's length, default 400; the cooperative
#                                     # run stops at 14.5 minutes, the central one at the same round)
set -euo pipefail
OUT=target/finetune-bench
mkdir -p "$OUT"
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat "$OUT/cp.txt")"
JAVA=(java -Dai.djl.offline=true -cp "$CP")
# The MKL shim, as in the tests and the image, when the build made it (docs/finetune.md §11.5, "Found and fixed").
SHIM=$(pwd)/target/native/libmkl-any-cpu.so
if [ -e "$SHIM" ]; then
  JAVA=(env LD_PRELOAD="$SHIM" "${JAVA[@]}")
  echo "MKL shim: LD_PRELOAD=$SHIM (active)"
else
  echo "MKL shim: not built, not preloaded"
fi
MAIN=io.loladeft.finetune.cli.FinetuneMain

case "${1:-}" in
  profiles)
    "${JAVA[@]}" $MAIN calibrate --out "$OUT/calibration.json"
    FLOPS=$(python3 -c "import json,sys; print(json.load(open('$OUT/calibration.json'))['hostFlops'])")
    for kind in lora adapter layer; do
      "${JAVA[@]}" $MAIN profile --model tiny --layers 4 --kind "$kind" --batch 8 --seq 64 --warmup 2 --iterations 7 \
        --host-flops "$FLOPS" --profile-out "$OUT/profile-tiny-$kind.json" --out "$OUT/report-tiny-$kind.json"
    done
    for kind in lora adapter layer; do
      "${JAVA[@]}" $MAIN profile --model base --kind "$kind" --batch 4 --seq 64 --warmup 1 --iterations 3 \
        --host-flops "$FLOPS" --profile-out "$OUT/profile-base-$kind.json" --out "$OUT/report-base-$kind.json"
    done
    "${JAVA[@]}" io.loladeft.bench.AnalyticVsMeasured "$OUT"/report-*.json > "$OUT/analytic-vs-measured.txt"
    ;;
  memory)
    "${JAVA[@]}" $MAIN memory --model small --kind layer --train-embeddings --steps 1000 --every 100 --batch 16 --seq 64 \
      --out "$OUT/memory.json"
    ;;
  memory-fit)
    # MALLOC_MMAP_THRESHOLD_: tensors of 64 KiB or more are mmap'd and go back to the OS when freed, so the peak
    # is live memory, not glibc's cache of freed chunks (the default-glibc run below shows the difference).
    STRICT=(--env MALLOC_MMAP_THRESHOLD_=65536)
    MINILM=(--pretrained all-minilm-l6-v2 --model-cache "$OUT/models" --kind lora --lora-rank 8)
    "${JAVA[@]}" $MAIN depth-memory "${MINILM[@]}" --batch 32 --seq 64 --steps 2 --warmup 1 "${STRICT[@]}" \
      --out "$OUT/depth-memory-minilm-b32-s64.json"
    "${JAVA[@]}" $MAIN depth-memory "${MINILM[@]}" --batch 16 --seq 128 --steps 2 --warmup 1 --depths 1,3,6 "${STRICT[@]}" \
      --out "$OUT/depth-memory-minilm-b16-s128.json"
    "${JAVA[@]}" $MAIN depth-memory "${MINILM[@]}" --batch 32 --seq 64 --steps 2 --warmup 1 --depths 1,6 \
      --out "$OUT/depth-memory-minilm-b32-s64-glibc-default.json"
    "${JAVA[@]}" $MAIN depth-memory --model base --kind lora --lora-rank 8 --batch 8 --seq 128 --steps 1 --warmup 1 \
      --depths "${BASE_DEPTHS:-1,4,8,12}" "${STRICT[@]}" --out "$OUT/depth-memory-base-b8-s128.json"
    "${JAVA[@]}" $MAIN depth-memory --model base --kind lora --lora-rank 8 --batch 4 --seq 256 --steps 1 --warmup 1 \
      --depths 1,12 "${STRICT[@]}" --out "$OUT/depth-memory-base-b4-s256.json"
    "${JAVA[@]}" io.loladeft.bench.MemoryVsAnalytic "$OUT"/depth-memory-*.json | tee "$OUT/memory-vs-analytic.md"
    ;;
  accuracy)
    COMMON=(--task SST-2 --glue ../shared/glue --tokenizer ../shared/roberta-base --model small --kind layer
      --train-embeddings --batch 32 --max-len 64 --lr 1e-3 --dropout 0 --weight-decay 0.01 --warmup 0.06 --local-iterations 1
      --seed 1 --eval-every "${EVAL_EVERY:-100}" --rounds "${ROUNDS:-400}")
    "${JAVA[@]}" $MAIN train "${COMMON[@]}" --devices 4 --max-minutes 14.5 --out "$OUT/sst2-coop.json"
    R=$(python3 -c "import json; print(json.load(open('$OUT/sst2-coop.json'))['roundsRun'])")
    "${JAVA[@]}" $MAIN train "${COMMON[@]}" --devices 1 --stop-round "$R" --out "$OUT/sst2-central.json"
    ;;
  *)
    echo "usage: $0 profiles|memory|memory-fit|accuracy" >&2
    exit 2
    ;;
esac
