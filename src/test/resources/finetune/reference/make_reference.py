"""Independent NumPy reference of Hugging Face RobertaForSequenceClassification (eval mode).

Generates the fixture that RobertaReferenceTest checks the DJL model against:
  tiny-roberta/config.json, tiny-roberta/model.safetensors (F32, HF naming), expected.json
It restates transformers' modeling_roberta forward: position ids = cumsum(ids != pad) * mask + pad,
post-LayerNorm layers, exact erf GELU, additive attention mask, head dense->tanh->out_proj on <s>.
Run: python3 make_reference.py   (needs only numpy)
"""
import json, math, os, struct
import numpy as np

rng = np.random.default_rng(1234)
V, H, L, A, I, P, T, LABELS, PAD, EPS = 60, 16, 2, 4, 32, 40, 1, 3, 1, 1e-5
cfg = dict(architectures=["RobertaForSequenceClassification"], model_type="roberta", vocab_size=V,
           hidden_size=H, num_hidden_layers=L, num_attention_heads=A, intermediate_size=I,
           max_position_embeddings=P, type_vocab_size=T, layer_norm_eps=EPS, pad_token_id=PAD,
           hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
           initializer_range=0.02, num_labels=LABELS)
W = {}
def t(name, *shape, scale=0.3):
    W[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
t("roberta.embeddings.word_embeddings.weight", V, H)
t("roberta.embeddings.position_embeddings.weight", P, H)
t("roberta.embeddings.token_type_embeddings.weight", T, H)
W["roberta.embeddings.LayerNorm.weight"] = (1 + 0.1 * rng.standard_normal(H)).astype(np.float32)
t("roberta.embeddings.LayerNorm.bias", H, scale=0.1)
for l in range(L):
    p = f"roberta.encoder.layer.{l}."
    for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
        t(p + m + ".weight", H, H); t(p + m + ".bias", H, scale=0.1)
    t(p + "intermediate.dense.weight", I, H); t(p + "intermediate.dense.bias", I, scale=0.1)
    t(p + "output.dense.weight", H, I); t(p + "output.dense.bias", H, scale=0.1)
    for ln in ["attention.output.LayerNorm", "output.LayerNorm"]:
        W[p + ln + ".weight"] = (1 + 0.1 * rng.standard_normal(H)).astype(np.float32)
        t(p + ln + ".bias", H, scale=0.1)
t("classifier.dense.weight", H, H); t("classifier.dense.bias", H, scale=0.1)
t("classifier.out_proj.weight", LABELS, H); t("classifier.out_proj.bias", LABELS, scale=0.1)

def ln(x, w, b):
    mu = x.mean(-1, keepdims=True); var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b
erf = np.vectorize(math.erf)
def gelu(x):
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))
def lin(x, name):
    return x @ W[name + ".weight"].T.astype(np.float64) + W[name + ".bias"]

ids = np.array([[0, 11, 23, 5, 2, 1, 1], [0, 7, 2, 2, 40, 13, 2]], dtype=np.int64)
mask = (ids != PAD).astype(np.int64)
pos = np.cumsum(mask, axis=1) * mask + PAD
x = W["roberta.embeddings.word_embeddings.weight"][ids].astype(np.float64) \
    + W["roberta.embeddings.position_embeddings.weight"][pos] + W["roberta.embeddings.token_type_embeddings.weight"][0]
x = ln(x, W["roberta.embeddings.LayerNorm.weight"], W["roberta.embeddings.LayerNorm.bias"])
bias = (1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min
B, S = ids.shape; dh = H // A
for l in range(L):
    p = f"roberta.encoder.layer.{l}."
    def heads(z): return z.reshape(B, S, A, dh).transpose(0, 2, 1, 3)
    q, k, v = (heads(lin(x, p + "attention.self." + n)) for n in ["query", "key", "value"])
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh) + bias
    s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
    ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, S, H)
    x1 = ln(lin(ctx, p + "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"])
    inter = gelu(lin(x1, p + "intermediate.dense"))
    x = ln(lin(inter, p + "output.dense") + x1, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
cls = x[:, 0, :]
logits = lin(np.tanh(lin(cls, "classifier.dense")), "classifier.out_proj")

os.makedirs("tiny-roberta", exist_ok=True)
with open("tiny-roberta/config.json", "w") as f:
    json.dump(cfg, f, indent=2)
header, off, blobs = {}, 0, []
for name, arr in W.items():
    b = arr.astype("<f4").tobytes(); header[name] = dict(dtype="F32", shape=list(arr.shape), data_offsets=[off, off + len(b)])
    off += len(b); blobs.append(b)
h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
with open("tiny-roberta/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h); [f.write(b) for b in blobs]
with open("expected.json", "w") as f:
    json.dump(dict(input_ids=ids.tolist(), attention_mask=mask.tolist(), logits=logits.tolist()), f, indent=1)
print(logits)
