#!/usr/bin/python3
"""The PyTorch side of src/bench/torch-vs-engine.sh: the engine's encoder in plain PyTorch eager.

A BERT/RoBERTa-style encoder for sequence classification written the way the engine
(io.loladeft.finetune.model.EncoderModel) is: Hugging Face parameter names and shapes, word +
position + token-type embeddings, post-LayerNorm layers, exact (erf) GELU, additive attention mask,
LoRA on query/value (scale alpha / r) or a bottleneck adapter after the FFN, the RoBERTa head
(dropout, dense, tanh, dropout, out_proj) or the BERT pooler head. Random seeded weights (weights
do not change the speed).

It times the phases of one training step exactly as `FinetuneMain phases` does for the engine:
forward (logits and loss), backward, optimizer step (torch.optim.AdamW, then zero_grad) and the
whole step, at each depth d with the blocks at depths 1..d trainable (the task head rides with the
depth-1 block) and everything below frozen. Prints the same JSON.

    /usr/bin/python3 src/bench/torch_encoder.py --model small --kind lora --batch 32 --seq 64 --threads 1

Two helpers for the script: `gemm THREADS [M K N]` prints the GFLOP/s of one [M,K]x[K,N] product
(to pick OpenBLAS's core type and to compare the BLAS with the engine's `FinetuneMain calibrate`), `ops [B S H F HEADS REPS]`
times the encoder's forward operations one by one at one and two threads (the twin of the engine's
io.loladeft.bench.OpScaling), and `table DIR` prints the markdown table of the runs in DIR.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# (family, vocab, hidden, layers, heads, ffn, positions, type vocab, eps, pad id, dropout) as the
# engine's presets (FinetuneMain.modelConfig, EncoderConfig).
PRESETS = {
    "tiny": ("roberta", 50265, 32, 2, 4, 64, 66, 1, 1e-5, 1, 0.0),
    "small": ("roberta", 50265, 128, 4, 4, 512, 130, 1, 1e-5, 1, 0.1),
    "minilm": ("bert", 30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0, 0.1),
    "base": ("roberta", 50265, 768, 12, 12, 3072, 514, 1, 1e-5, 1, 0.1),
}


class LoraLinear(nn.Module):
    """nn.Linear plus (x A^T) B^T * scale; parameters `weight`, `bias`, `lora_A.weight`, `lora_B.weight`."""

    def __init__(self, h, r, alpha):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(h, h).normal_(0, 0.02))
        self.bias = nn.Parameter(torch.zeros(h))
        self.lora_A = nn.Linear(h, r, bias=False)
        self.lora_B = nn.Linear(r, h, bias=False)
        nn.init.uniform_(self.lora_A.weight, -1 / math.sqrt(h), 1 / math.sqrt(h))
        nn.init.zeros_(self.lora_B.weight)
        self.scale = alpha / r

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) + self.lora_B(self.lora_A(x)) * self.scale


def dense(i, o):
    m = nn.Linear(i, o)
    nn.init.normal_(m.weight, 0, 0.02)
    nn.init.zeros_(m.bias)
    return m


class Layer(nn.Module):
    def __init__(self, c, kind, r, alpha, adapter):
        super().__init__()
        h, f = c["hidden"], c["ffn"]
        self.heads = c["heads"]
        self.p = c["dropout"]
        lora = kind == "lora"
        self.query = LoraLinear(h, r, alpha) if lora else dense(h, h)
        self.key = dense(h, h)
        self.value = LoraLinear(h, r, alpha) if lora else dense(h, h)
        self.attn_out = dense(h, h)
        self.ln1 = nn.LayerNorm(h, eps=c["eps"])
        self.inter = dense(h, f)
        self.out = dense(f, h)
        self.adapter = nn.Sequential(dense(h, adapter), nn.GELU(), dense(adapter, h)) if kind == "adapter" else None
        if self.adapter is not None:
            nn.init.zeros_(self.adapter[2].weight)
        self.ln2 = nn.LayerNorm(h, eps=c["eps"])

    def forward(self, x, mask_bias):
        b, s, h = x.shape
        a = self.heads
        dh = h // a
        q = self.query(x).view(b, s, a, dh).transpose(1, 2)
        k = self.key(x).view(b, s, a, dh).transpose(1, 2)
        v = self.value(x).view(b, s, a, dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh) + mask_bias
        probs = F.dropout(scores.softmax(-1), self.p, self.training)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, h)
        x1 = self.ln1(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        out = F.dropout(self.out(F.gelu(self.inter(x1))), self.p, self.training)
        if self.adapter is not None:
            out = out + self.adapter(out)
        return self.ln2(out + x1)


class Encoder(nn.Module):
    def __init__(self, c, kind, r, alpha, adapter, labels):
        super().__init__()
        h = c["hidden"]
        self.c = c
        self.word = nn.Embedding(c["vocab"], h)
        self.position = nn.Embedding(c["positions"], h)
        self.token_type = nn.Embedding(c["types"], h)
        for e in (self.word, self.position, self.token_type):
            nn.init.normal_(e.weight, 0, 0.02)
        self.ln = nn.LayerNorm(h, eps=c["eps"])
        self.layers = nn.ModuleList(Layer(c, kind, r, alpha, adapter) for _ in range(c["layers"]))
        self.head_dense = dense(h, h)
        self.head_out = dense(h, labels)

    def forward(self, ids, mask, types):
        c = self.c
        b, s = ids.shape
        if c["family"] == "roberta":
            not_pad = ids.ne(c["pad"]).long()
            pos = torch.cumsum(not_pad, 1) * not_pad + c["pad"]
        else:
            pos = torch.arange(s).expand(b, s)
        x = self.word(ids) + self.position(pos) + self.token_type(types)
        x = F.dropout(self.ln(x), c["dropout"], self.training)
        mask_bias = ((mask.float() - 1) * 1e9).view(b, 1, 1, s)
        for layer in self.layers:
            x = layer(x, mask_bias)
        cls = x[:, 0]
        if c["family"] == "bert":
            pooled = torch.tanh(self.head_dense(cls))
            return self.head_out(F.dropout(pooled, c["dropout"], self.training))
        hid = torch.tanh(self.head_dense(F.dropout(cls, c["dropout"], self.training)))
        return self.head_out(F.dropout(hid, c["dropout"], self.training))

    def block(self, layer_index, kind):
        """Trainable (name, parameter) pairs of the block at 0-based layer index, head included for the top."""
        layer = self.layers[layer_index]
        if kind == "lora":
            ps = [("q.lora_A", layer.query.lora_A.weight), ("q.lora_B", layer.query.lora_B.weight),
                  ("v.lora_A", layer.value.lora_A.weight), ("v.lora_B", layer.value.lora_B.weight)]
        elif kind == "adapter":
            ps = list(layer.adapter.named_parameters())
        else:
            ps = [(n, p) for n, p in layer.named_parameters() if not n.startswith("adapter")
                  and "lora_" not in n]
        if layer_index == len(self.layers) - 1:
            ps += list(self.head_dense.named_parameters()) + list(self.head_out.named_parameters())
        return ps


def random_batch(c, b, s, labels, seed):
    """Random tokens, every position real, <s>/</s> (ids 0 and 2) at the ends, as Profiler.randomBatch."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, c["vocab"] - 1, (b, s), generator=g)
    ids[:, 0] = 0
    ids[:, -1] = 2
    mask = torch.ones(b, s, dtype=torch.long)
    types = torch.zeros(b, s, dtype=torch.long)
    y = torch.randint(0, labels, (b,), generator=g)
    return ids, mask, types, y


def phase(xs):
    return statistics.median(xs), min(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="small", choices=sorted(PRESETS))
    ap.add_argument("--layers", type=int, default=0)
    ap.add_argument("--kind", default="lora", choices=["lora", "adapter", "layer"])
    ap.add_argument("--lora-rank", type=int, default=8)
    ap.add_argument("--lora-alpha", type=float, default=16)
    ap.add_argument("--adapter-size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--num-labels", type=int, default=2)
    ap.add_argument("--depths", default="")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--foreach", action="store_true", help="multi-tensor AdamW (1.13 defaults to single-tensor)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dropout", type=float, default=-1, help="dropout rate; default the preset's (0.1)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    fam, vocab, h, layers, heads, ffn, positions, types, eps, pad, drop = PRESETS[a.model]
    if a.dropout >= 0:
        drop = a.dropout
    if a.layers > 0:
        layers = a.layers
    c = dict(family=fam, vocab=vocab, hidden=h, layers=layers, heads=heads, ffn=ffn, positions=positions,
             types=types, eps=eps, pad=pad, dropout=drop)
    model = Encoder(c, a.kind, a.lora_rank, a.lora_alpha, a.adapter_size, a.num_labels)
    model.train()
    ids, mask, tt, y = random_batch(c, a.batch, a.seq, a.num_labels, 17)
    depths = sorted({int(d) for d in a.depths.split(",")} if a.depths else {1, max(1, layers // 2), layers})

    points = []
    for depth in depths:
        for p in model.parameters():
            p.requires_grad_(False)
            p.grad = None
        decay, no_decay = [], []
        count = 0
        for li in range(layers - depth, layers):
            for name, p in model.block(li, a.kind):
                p.requires_grad_(True)
                count += p.numel()
                # the engine's OptimizerSpec.decays: no weight decay on biases and LayerNorm
                (no_decay if name.endswith("bias") or "ln" in name else decay).append(p)
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, foreach=a.foreach)
        t = [[], [], [], []]
        for i in range(-a.warmup, a.iterations):
            t0 = time.perf_counter()
            loss = F.cross_entropy(model(ids, mask, tt), y)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            opt.zero_grad(set_to_none=True)
            t3 = time.perf_counter()
            del loss
            t4 = time.perf_counter()
            if i >= 0:
                for k, (u, w) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t0, t4))):
                    t[k].append(w - u)
        pt = {"depth": depth, "trainableParameters": count}
        for k, name in enumerate(("forward", "backward", "optimizer", "step")):
            pt[name], pt[name + "Min"] = phase(t[k])
        points.append(pt)
        print(f"depth {depth}: forward {pt['forward']:.4f} s, backward {pt['backward']:.4f} s, "
              f"optimizer {pt['optimizer']:.4f} s, step {pt['step']:.4f} s", file=sys.stderr)

    print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "family": fam, "layers": layers,
                      "hidden": h, "heads": heads, "intermediate": ffn, "vocab": vocab, "blockKind": a.kind,
                      "rank": a.lora_rank, "bottleneck": a.adapter_size, "batchSize": a.batch,
                      "seqLen": a.seq, "optimizer": "adamw" + ("-foreach" if a.foreach else ""),
                      "threads": torch.get_num_threads(), "points": points}, indent=1))


def gemm(threads, m=256, k=768, n=3072):
    """GFLOP/s of [m,k] x [k,n], median of 7 after 2 warm-ups, as HostCalibration.gemmFlops."""
    torch.set_num_threads(threads)
    a, b = torch.randn(m, k), torch.randn(k, n)
    ts = []
    for i in range(-2, 7):
        t0 = time.perf_counter()
        torch.matmul(a, b)
        if i >= 0:
            ts.append(time.perf_counter() - t0)
    print("%.1f" % (2 * m * k * n / statistics.median(ts) / 1e9))


def ops(b=8, s=64, h=384, f=1536, a=12, reps=5):
    """The encoder's forward operations one at a time at one and two intra-op threads, alternating:
    the twin of the engine's io.loladeft.bench.OpScaling (same shapes, order and timing: median of 30
    calls after 5, median over reps). Prints microseconds at 1 and 2 threads and the gain."""
    n = b * s
    x, xf = torch.randn(n, h), torch.randn(n, f)
    wq, bq, wi, bi, wo = torch.randn(h, h), torch.randn(h), torch.randn(f, h), torch.randn(f), torch.randn(h, f)
    lnw, lnb = torch.ones(h), torch.zeros(h)
    q4, kT, sc = torch.randn(b, a, s, h // a), torch.randn(b, a, h // a, s), torch.randn(b, a, s, s)
    table = {
        "addmm h->h": lambda: F.linear(x, wq, bq),
        "addmm h->f": lambda: F.linear(x, wi, bi),
        "addmm f->h": lambda: F.linear(xf, wo, bq),
        "bmm q.kT": lambda: torch.matmul(q4, kT),
        "softmax": lambda: sc.softmax(-1),
        "gelu [n,f]": lambda: F.gelu(xf),
        "layernorm": lambda: F.layer_norm(x, (h,), lnw, lnb, 1e-12),
        "dropout [n,h]": lambda: F.dropout(x, 0.1, True),
        "dropout scores": lambda: F.dropout(sc, 0.1, True),
        "add [n,h]": lambda: x + x,
    }

    def time_us(op):
        us = []
        for i in range(-5, 30):
            t0 = time.perf_counter_ns()
            op()
            if i >= 0:
                us.append((time.perf_counter_ns() - t0) / 1e3)
        return statistics.median(us)

    t = {k: ([], []) for k in table}
    for _ in range(reps):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for k, op in table.items():
                t[k][threads - 1].append(time_us(op))
    print("%-16s %10s %10s %6s" % ("op", "1t us", "2t us", "gain"))
    for k, (one, two) in t.items():
        one, two = statistics.median(one), statistics.median(two)
        print("%-16s %10.1f %10.1f %6.2f" % (k, one, two, one / two))


def table(out_dir):
    """Medians over repetitions of each run's median, engine / PyTorch, per config, threads and depth."""
    import glob
    import os
    runs = {}
    for f in sorted(glob.glob(os.path.join(out_dir, "*-rep*.json"))):
        d = json.load(open(f))
        key = (d["layers"], d["hidden"], d["blockKind"], d["batchSize"], d["seqLen"], d["threads"])
        for p in d["points"]:
            runs.setdefault(key + (p["depth"],), {}).setdefault(d["framework"], []).append(p)
    phases = ("forward", "backward", "optimizer", "step")
    names = {(4, 128): "small", (6, 384): "MiniLM", (12, 768): "roberta-base"}
    print("| model (L, h) | block | b x s | threads | depth | " + " | ".join(
        f"{p} engine / torch ms | ratio" for p in phases) + " | step ratio of minima | reps |")
    print("|---|---|---|---|---|" + "---|---|" * len(phases) + "---|---|")
    worst = []
    for key in sorted(runs, key=lambda k: (k[1], k[5], k[6])):
        r = runs[key]
        if "engine" not in r or "pytorch" not in r:
            continue
        layers, hidden, kind, b, s, threads, depth = key
        cells = []
        for ph in phases:
            e = statistics.median(p[ph] for p in r["engine"]) * 1e3
            t = statistics.median(p[ph] for p in r["pytorch"]) * 1e3
            ratio = e / t
            worst.append((ratio, key, ph))
            fmt = "%.1f" if t >= 10 else "%.2f"
            cells.append((fmt + " / " + fmt) % (e, t) + (" | **%.2f**" if ratio > 1.1 else " | %.2f") % ratio)
        name = names.get((layers, hidden), "")
        best = min(p["stepMin"] for p in r["engine"]) / min(p["stepMin"] for p in r["pytorch"])
        print(f"| {name} ({layers}, {hidden}) | {kind} | {b} x {s} | {threads} | {depth} | " + " | ".join(cells)
              + f" | {best:.2f} | {min(len(r['engine']), len(r['pytorch']))} |")
    over = [w for w in worst if w[0] > 1.1]
    print()
    print(f"{len(over)} of {len(worst)} ratios above 1.1" + (
        "; largest %.2f (%s at L=%d, h=%d, %d thread(s), depth %d)" % (
            max(over)[0], max(over)[2], max(over)[1][0], max(over)[1][1], max(over)[1][5], max(over)[1][6])
        if over else ""))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "gemm":
        gemm(*[int(x) for x in sys.argv[2:]])
    elif len(sys.argv) > 1 and sys.argv[1] == "ops":
        ops(*[int(x) for x in sys.argv[2:]])
    elif len(sys.argv) > 1 and sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        main()
