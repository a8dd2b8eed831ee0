#!/usr/bin/env bash
# The engine against PyTorch eager on the same training step (docs/finetune.md §11.5). Run from
# anywhere in the checkout; needs a JDK and root for apt (python3-torch is installed if missing).
#
#   src/bench/torch-vs-engine.sh
#
# For each config (CONFIGS: "preset:batch:seq ...", default the 4-layer `small` model of the docs'
# job benchmarks at 32 x 64, the MiniLM shape at 8 x 64, roberta-base at 4 x 64), block kind (KINDS,
# default "lora": r=8 on query/value, alpha 16; "adapter" and "layer" work too) and thread count
# (THREADS, default "1 2"), it runs REPS (3) repetitions of the engine (`FinetuneMain phases`) and of
# the PyTorch model (src/bench/torch_encoder.py) alternately, engine first, each timing WARMUP (2) +
# ITERATIONS (5) training steps per depth d = 1, L/2, L (blocks at depths 1..d trainable, frozen
# below; AdamW). The table holds, per phase, the median over repetitions of each run's median and
# the ratio engine / PyTorch. Both sides run with the same intra-op threads (libtorch's
# at::set_num_threads, OMP_NUM_THREADS) and the same random seeds.
#
# PyTorch is Debian's python3-torch (1.13, BLAS: OpenBLAS through libblas.so.3) with the OpenMP
# build of OpenBLAS and OPENBLAS_CORETYPE set to the fastest core type on this CPU (SkylakeX needs
# AVX-512; without it Haswell and Zen are measured and the faster taken; CORETYPE=X forces one).
# Before the steps it times the BLAS alone: one [1024,768] x [768,3072] product in each (gemm.txt).
# The engine's JVMs preload the build's MKL shim, target/native/libmkl-any-cpu.so, when the build made it
# (Linux x86_64 with a C compiler), as the tests and the image do: without it MKL takes its generic path
# on AMD CPUs (§11.5, "Found and fixed"). PyTorch is left as set up above. machine.txt says which.
# Reports go to target/torch-vs-engine/ (table.md, gemm.txt, coretype.txt, machine.txt, one JSON per run).
# Both sides run with the same glibc settings that keep freed memory for reuse instead of returning it
# to the system after every step (MALLOC_MMAP_THRESHOLD_ 32 MiB, MALLOC_TRIM_THRESHOLD_ 1 GiB, MALLOC_TOP_PAD_
# 256 MiB): with glibc's defaults a step's large tensors are unmapped when freed and the next step faults
# the pages in again, which cost both sides up to a third of a small step on this VM (§11.5). MALLOC=system
# leaves glibc's own settings on both instead.
# SKIP_BUILD=1 reuses target/classes and the classpath of the previous run.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-target/torch-vs-engine}
if [ "${MALLOC:-keep}" = keep ]; then
  # Exported, so the engine's JVMs and PyTorch's interpreter start with the same allocator settings.
  export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456
fi
PY=/usr/bin/python3          # Debian's interpreter, whatever pyenv or venv is first on PATH
# Both sides use libgomp. Its default lets idle OpenMP threads spin; on a shared host with more
# runnable threads than cores that made two-thread steps 10-20x slower on both sides (docs/finetune.md
# §11.5), so both run with passive waiting unless OMP_WAIT_POLICY says otherwise.
# OMP_WAIT_POLICY=default leaves it unset (libgomp's own default).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ "$OMP_WAIT_POLICY" != default ] || unset OMP_WAIT_POLICY
mkdir -p "$OUT"
rm -f "$OUT"/*-rep*.json "$OUT"/gemm.txt "$OUT"/coretype.txt "$OUT"/*.log

if ! $PY -c 'import torch' 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ]; then
  apt-get install -y python3-torch libopenblas0-openmp
fi
# libblas.so.3 (which python3-torch links) must be the OpenMP OpenBLAS, not the pthreads or reference one.
update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 >/dev/null

if [ -n "${CORETYPE:-}" ]; then
  core=$CORETYPE
elif grep -qw avx512f /proc/cpuinfo; then
  core=SkylakeX
else
  # Interleaved, three rounds, best of three per type: the host is shared, so one sample per type
  # would pick noise, and the best sample is the least disturbed one.
  declare -A best=()
  for _ in 1 2 3; do
    for ct in Haswell Zen; do
      g=$(OPENBLAS_CORETYPE=$ct OMP_NUM_THREADS=1 $PY src/bench/torch_encoder.py gemm 1 256 768 3072)
      echo "OPENBLAS_CORETYPE=$ct: $g GFLOP/s" >> "$OUT/coretype.txt"
      if [ -z "${best[$ct]:-}" ] || $PY -c "import sys; sys.exit(0 if $g > ${best[$ct]} else 1)"; then best[$ct]=$g; fi
    done
  done
  core=$($PY -c "print('Haswell' if ${best[Haswell]} >= ${best[Zen]} else 'Zen')")
fi
echo "OPENBLAS_CORETYPE=$core" | tee -a "$OUT/coretype.txt"

[ -n "${SKIP_BUILD:-}" ] && [ -s "$OUT/cp.txt" ] || ./mvnw -q -B compile dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime
CP="target/classes:$(cat "$OUT/cp.txt")"
SHIM=$(pwd)/target/native/libmkl-any-cpu.so
# The engine's JVM: with the MKL shim preloaded when the build made it (the same as tests and the image).
engine_java() {
  if [ -e "$SHIM" ]; then LD_PRELOAD=$SHIM java "$@"; else java "$@"; fi
}
{
  echo "machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
  echo "pytorch: $($PY -c 'import torch; print(torch.__version__)'), OpenBLAS $(dpkg-query -W -f='${Version}' libopenblas0-openmp), OPENBLAS_CORETYPE=$core"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg), OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
  if [ -e "$SHIM" ]; then echo "engine: LD_PRELOAD=$SHIM (MKL shim active)"; else echo "engine: MKL shim not built, not preloaded"; fi
  if [ -n "${MALLOC_MMAP_THRESHOLD_:-}" ]; then
    echo "glibc malloc, both sides: MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-} MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-}"
  else
    echo "glibc malloc, both sides: its defaults"
  fi
} | tee "$OUT/machine.txt"

# The BLAS alone: libtorch 2.7.1's (the engine's) against python3-torch's OpenBLAS on one FFN-shaped
# product [1024,768] x [768,3072], alternating, REPS times per thread count (GFLOP/s, median of 7).
for t in ${THREADS:-1 2}; do
  for rep in $(seq 1 "${REPS:-3}"); do
    OMP_NUM_THREADS=$t engine_java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$t" -cp "$CP" \
      io.loladeft.finetune.cli.FinetuneMain calibrate --m 1024 --k 768 --n 3072 --reps 7 --out "$OUT/gemm-engine.json" \
      > /dev/null 2>&1
    e=$($PY -c "import json; print('%.1f' % (json.load(open('$OUT/gemm-engine.json'))['hostFlops'] / 1e9))")
    p=$(OMP_NUM_THREADS=$t OPENBLAS_CORETYPE=$core $PY src/bench/torch_encoder.py gemm "$t" 1024 768 3072)
    echo "threads=$t rep $rep: engine $e GFLOP/s, pytorch $p GFLOP/s" | tee -a "$OUT/gemm.txt"
  done
done

COMMON_ARGS=(--warmup "${WARMUP:-2}" --iterations "${ITERATIONS:-5}" --seed 1)
for cfg in ${CONFIGS:-small:32:64 minilm:8:64 base:4:64}; do
  IFS=: read -r model batch seq <<< "$cfg"
  for kind in ${KINDS:-lora}; do
    for t in ${THREADS:-1 2}; do
      for rep in $(seq 1 "${REPS:-3}"); do
        args=(--model "$model" --kind "$kind" --batch "$batch" --seq "$seq" --threads "$t" "${COMMON_ARGS[@]}")
        case $kind in
          lora) args+=(--lora-rank 8 --lora-alpha 16) ;;
          adapter) args+=(--adapter-size 64) ;;
        esac
        OMP_NUM_THREADS=$t engine_java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$t" -cp "$CP" \
          io.loladeft.finetune.cli.FinetuneMain phases "${args[@]}" --quiet \
          --out "$OUT/engine-$model-$kind-t$t-rep$rep.json" > /dev/null 2>> "$OUT/engine.log"
        OMP_NUM_THREADS=$t OPENBLAS_CORETYPE=$core $PY src/bench/torch_encoder.py "${args[@]}" \
          > "$OUT/torch-$model-$kind-t$t-rep$rep.json" 2>> "$OUT/torch.log"
        echo "$model $kind threads=$t rep $rep done (load $(cut -d' ' -f1 /proc/loadavg))"
      done
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
$PY src/bench/torch_encoder.py table "$OUT" | tee "$OUT/table.md"
