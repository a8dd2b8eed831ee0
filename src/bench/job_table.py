#!/usr/bin/env python3
"""A finished job as Markdown: the plan's assignment, predicted against emulated per device, and the
per-round table (every round up to 5, then each evaluated round). Used by src/bench/jobs.sh sst2.

    python3 src/bench/job_table.py plan.json job.json
"""
import json
import statistics
import sys
from collections import Counter

plan = json.load(open(sys.argv[1]))
job = json.load(open(sys.argv[2]))
rounds = job["rounds"]
s = job["settings"]

print(f"Job {job['id']}: {job['task']}, state {job['state']}, {s['rounds']} rounds, batch {s['batchSize']}, "
      f"seq {s['seqLen']}, lr {s['learningRate']} ({s['optimizer']}), seed {s['seed']}; plan {plan['id']} "
      f"({plan['algorithm']}), predicted round latency {plan['roundLatencySeconds']:.4f} s.")
print()
print("| device | layers | bandwidth MHz | predicted compute s | emulated compute s (median) | predicted upload s "
      "| emulated upload s (median) | predicted latency s | emulated latency s (median) | items per worker |")
print("|---|---|---|---|---|---|---|---|---|---|")
for a in plan["assignments"]:
    per = [d for r in rounds for d in r["devices"] if d["device"] == a["device"]]
    if not per:
        continue
    med = lambda k: statistics.median(d[k] for d in per)
    workers = ", ".join(f"{w} {n}" for w, n in sorted(Counter(d["worker"] for d in per).items()))
    print(f"| {a['device']} | {a['layers']} | {a['bandwidthHz'] / 1e6:.2f} | {a['computeSeconds']:.4f} "
          f"| {med('emulatedComputeSeconds'):.4f} | {a['uploadSeconds']:.4f} | {med('emulatedUploadSeconds'):.4f} "
          f"| {a['latencySeconds']:.4f} | {med('emulatedLatencySeconds'):.4f} | {workers} |")
print()

emulated = [r["emulatedRoundLatencySeconds"] for r in rounds]
predicted = plan["roundLatencySeconds"]
wall = [r["wallSeconds"] for r in rounds]
print(f"Round latency: predicted {predicted:.4f} s; emulated median {statistics.median(emulated):.4f} s "
      f"(p10 {statistics.quantiles(emulated, n=10)[0]:.4f}, p90 {statistics.quantiles(emulated, n=10)[-1]:.4f}), "
      f"emulated / predicted {statistics.median(emulated) / predicted:.3f}. Wall time per round on this host: "
      f"median {statistics.median(wall):.3f} s, total {sum(wall) / 60:.1f} min.")
print()
print("| round | training loss | dev metrics | emulated round s | predicted round s | wall s | slowest device (worker) |")
print("|---|---|---|---|---|---|---|")
for r in rounds:
    if r["round"] > 5 and not r.get("devMetrics"):
        continue
    slow = max(r["devices"], key=lambda d: d["emulatedLatencySeconds"])
    dev = ", ".join(f"{k} {v:.4f}" for k, v in sorted((r.get("devMetrics") or {}).items()))
    print(f"| {r['round']} | {r['trainingLoss']:.4f} | {dev} | {r['emulatedRoundLatencySeconds']:.4f} "
          f"| {r['predictedRoundLatencySeconds']:.4f} | {r['wallSeconds']:.3f} | {slow['device']} ({slow['worker']}) |")
print()
print(f"Final: {job['result']['metrics']}, blocks {job['result']['blocksBytes']} bytes, sha256 {job['result']['blocksSha256']}.")
