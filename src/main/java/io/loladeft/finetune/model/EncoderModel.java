package io.loladeft.finetune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A BERT-family encoder (RoBERTa or BERT) for sequence classification/regression written directly
 * on DJL NDArrays (PyTorch engine), with parameters held by Hugging Face name. Post-LayerNorm
 * encoder layers, exact (erf) GELU, additive attention mask. RoBERTa: position ids start at pad id
 * + 1 (padding keeps pad id), head {@code dropout -> dense -> tanh -> dropout -> out_proj} on
 * {@code <s>}. BERT: positions 0..s-1, token types from the batch, head {@code pooler dense -> tanh
 * -> dropout -> classifier} on {@code [CLS]}. Optional LoRA on query/value and bottleneck adapters
 * after the FFN.
 *
 * <p>Memory follows depth: each encoder layer runs in its own sub-manager that is closed once the
 * layer's output is handed on. Autograd keeps (inside libtorch) exactly what backward needs, so
 * layers below the deepest trainable tensor, which nothing records, free their activations at once,
 * and layers the backward pass crosses keep only what it needs. A layer's input (the output of the
 * layer below) goes with the layer's manager too, so no hidden state outlives the layer that reads it.
 *
 * <p>Frozen parameters do not require gradients, so autograd stops at the deepest trainable tensor.
 * All parameter arrays live in this model's own manager; every activation lives in the manager the
 * caller passes to {@link #forward} (one sub-manager per step keeps memory flat).
 */
public final class EncoderModel implements AutoCloseable {

    private static final float MASK_NEG = -1e9f;

    private final EncoderConfig config;
    private final BlockSpec spec;
    private final EncoderNames names;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    private EncoderModel(EncoderConfig config, BlockSpec spec, NDManager parent) {
        this.config = config;
        this.spec = spec;
        this.names = EncoderNames.of(config);
        this.manager = parent.newSubManager();
    }

    /**
     * A model initialised from {@code seed} alone, as Hugging Face does (normal(0, initializer
     * range) weights, zero biases, unit LayerNorm, zero padding rows; LoRA A uniform(+-1/sqrt(h)),
     * B zero; adapter down normal, up zero). Each tensor draws from its own stream derived from the
     * seed and its name, so every worker builds the same model.
     */
    public static EncoderModel seeded(EncoderConfig config, BlockSpec spec, long seed, NDManager parent) {
        return seededFrom(config, spec, seed, parent, Map.of());
    }

    /** Takes the given tensors (already checked by the caller) and seeds the rest. */
    static EncoderModel seededFrom(
            EncoderConfig config, BlockSpec spec, long seed, NDManager parent, Map<String, HostTensor> given) {
        EncoderModel m = new EncoderModel(config, spec, parent);
        try {
            for (String name : m.names.allTensors(config, spec)) {
                HostTensor t = given.get(name);
                m.put(name, t != null ? t : initTensor(config, spec, name, seed));
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** The seeded initial value of one tensor (see {@link #seeded}). */
    public static HostTensor initTensor(EncoderConfig c, BlockSpec spec, String name, long seed) {
        EncoderNames names = EncoderNames.of(c);
        long[] shape = names.shapeOf(c, spec, name);
        float[] data = new float[(int) HostTensor.numel(shape)];
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float std = c.initializerRange();
        if (name.endsWith("LayerNorm.weight")) {
            Arrays.fill(data, 1f);
        } else if (name.endsWith(".bias") || name.endsWith("lora_B.weight") || name.endsWith("adapter.up.weight")) {
            // zeros: biases, and the second LoRA/adapter factor so a fresh block starts as identity
        } else if (name.endsWith("lora_A.weight")) {
            double bound = 1.0 / Math.sqrt(shape[1]);
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextGaussian() * std);
            }
            if (c.family() == EncoderConfig.Family.ROBERTA
                    && (name.equals(names.word()) || name.equals(names.position()))) {
                int h = (int) shape[1];
                Arrays.fill(data, c.padTokenId() * h, (c.padTokenId() + 1) * h, 0f);
            }
        }
        return new HostTensor(shape, data);
    }

    public EncoderConfig config() {
        return config;
    }

    public BlockSpec spec() {
        return spec;
    }

    public Set<String> names() {
        return params.keySet();
    }

    /** The naming of this model's family. */
    public EncoderNames naming() {
        return names;
    }

    public NDArray parameter(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return a;
    }

    public long parameterBytes() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size() * 4;
        }
        return n;
    }

    /** The model's own manager (parameters only); used by tests to prove no activation leaks into it. */
    public NDManager manager() {
        return manager;
    }

    /** Replaces tensors by name; every name must be known and every shape must match the config. */
    public void setTensors(Map<String, HostTensor> tensors) {
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (!params.containsKey(e.getKey())) {
                throw new CheckpointException("unexpected tensor " + e.getKey() + " (not part of this "
                        + spec.kind().wireName() + " model)");
            }
            long[] want = names.shapeOf(config, spec, e.getKey());
            if (!Arrays.equals(want, e.getValue().shape())) {
                throw new CheckpointException("tensor " + e.getKey() + " has shape "
                        + Arrays.toString(e.getValue().shape()) + ", expected " + Arrays.toString(want));
            }
        }
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            NDArray old = params.get(e.getKey());
            boolean grad = old.hasGradient();
            put(e.getKey(), e.getValue());
            if (grad) {
                params.get(e.getKey()).setRequiresGradient(true);
            }
            old.close();
        }
    }

    public Map<String, HostTensor> getTensors(Collection<String> names) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String n : names) {
            NDArray a = parameter(n);
            out.put(n, new HostTensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    public Map<String, HostTensor> getAllTensors() {
        return getTensors(params.keySet());
    }

    /** Makes exactly {@code trainable} require gradients; everything else is frozen. */
    public void setTrainable(Set<String> trainable) {
        for (String t : trainable) {
            parameter(t);
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            boolean want = trainable.contains(e.getKey());
            if (want != e.getValue().hasGradient()) {
                e.getValue().setRequiresGradient(want);
            }
        }
    }

    /**
     * Logits {@code [batch, numLabels]}, attached to {@code m}. {@code training} turns dropout on.
     */
    public NDArray forward(NDManager m, Batch batch, boolean training) {
        StepDropout hidden = StepDropout.of(m, config.hiddenDropout(), training);
        StepDropout attention = StepDropout.of(m, config.attentionDropout(), training);
        NDArray cls = encode(m, batch, hidden, attention).get(new NDIndex(":, 0, :"));
        NDArray logits;
        if (config.family() == EncoderConfig.Family.BERT) {
            NDArray pooled = linear(cls, names.headDense()).tanh();
            logits = linear(hidden.apply(pooled), names.headOut());
        } else {
            cls = hidden.apply(cls);
            NDArray hdn = linear(cls, names.headDense()).tanh();
            hdn = hidden.apply(hdn);
            logits = linear(hdn, names.headOut());
        }
        if (logits.getShape().get(1) != config.numLabels() || logits.getShape().get(0) != batch.batchSize()) {
            throw new IllegalStateException("unexpected logits shape " + logits.getShape());
        }
        return logits;
    }

    /** The encoder's last hidden states {@code [batch, seq, hidden]}, attached to {@code m}. */
    public NDArray encode(NDManager m, Batch batch, boolean training) {
        return encode(
                m,
                batch,
                StepDropout.of(m, config.hiddenDropout(), training),
                StepDropout.of(m, config.attentionDropout(), training));
    }

    private NDArray encode(NDManager m, Batch batch, StepDropout hidden, StepDropout attention) {
        int b = batch.batchSize();
        int s = batch.seqLen();
        if (s > config.maxSequenceLength()) {
            throw new IllegalArgumentException(
                    "sequence length " + s + " exceeds the model's " + config.maxSequenceLength());
        }
        NDArray mask = m.create(batch.attentionMask(), new Shape(b, s));
        // Arrays made from Java buffers wrap them without a copy, and autograd may keep the ids (a trained
        // embedding saves its indices): they stay in m for the whole step, and are only lent to em.
        NDArray ids = m.create(batch.inputIds(), new Shape(b, s));
        NDArray types = m.create(batch.tokenTypeIds(), new Shape(b, s));
        NDArray x;
        // The embeddings' intermediates live in their own sub-manager too; only the output goes on.
        try (NDManager em = m.newSubManager()) {
            ids.tempAttach(em);
            types.tempAttach(em);
            NDArray pos;
            if (config.family() == EncoderConfig.Family.ROBERTA) {
                long pad = config.padTokenId();
                NDArray notPad = ids.neq(pad).toType(DataType.INT64, false);
                pos = notPad.cumSum(1).mul(notPad).add(pad);
            } else {
                pos = em.arange(0, s, 1, DataType.INT64).reshape(1, s).repeat(0, b);
            }
            NDArray e = Embedding.embedding(ids, parameter(names.word()), SparseFormat.DENSE)
                    .head()
                    .add(Embedding.embedding(pos, parameter(names.position()), SparseFormat.DENSE)
                            .head())
                    .add(Embedding.embedding(types, parameter(names.tokenType()), SparseFormat.DENSE)
                            .head());
            e = layerNorm(e, names.embeddingNorm());
            x = hidden.apply(e);
            x.attach(m);
        }

        NDArray maskBias =
                mask.toType(DataType.FLOAT32, false).sub(1f).mul(-MASK_NEG).reshape(b, 1, 1, s);
        NDArray loraScale = spec.kind() == BlockKind.LORA ? scalar(m, spec.loraScale()) : null;
        NDArray attnScale = scalar(m, (float) (1.0 / Math.sqrt(config.headDim())));
        // The layers work on [b * s, h] (a view): DJL's linear fuses the bias into the product
        // (addmm) only for 2-D input; on 3-D input it is a matmul plus an add_ over the whole output.
        x = x.reshape(b * s, config.hiddenSize());
        for (int i = 0; i < config.numLayers(); i++) {
            // Ops put their results in their first operand's manager: with x moved to lm, the layer's
            // intermediates land there and go when lm closes, x (the layer below's output) with them:
            // autograd holds what backward needs. The output moves to m first. See the class comment;
            // the scalars stay in m (GcDuringTrainingTest).
            try (NDManager lm = m.newSubManager()) {
                x.attach(lm);
                NDArray out = layer(x, maskBias, loraScale, attnScale, i, b, s, hidden, attention);
                out.attach(m);
                x = out;
            }
        }
        return x.reshape(b, s, config.hiddenSize());
    }

    private NDArray layer(
            NDArray x,
            NDArray maskBias,
            NDArray loraScale,
            NDArray attnScale,
            int i,
            int b,
            int s,
            StepDropout hidden,
            StepDropout attention) {
        String p = names.layer(i);
        int a = config.numHeads();
        int dh = config.headDim();
        int h = config.hiddenSize();
        NDArray q = linear(x, p + "attention.self.query");
        NDArray k = linear(x, p + "attention.self.key");
        NDArray v = linear(x, p + "attention.self.value");
        if (loraScale != null) {
            q = q.add(lora(x, p + "attention.self.query", loraScale));
            v = v.add(lora(x, p + "attention.self.value", loraScale));
        }
        NDArray q4 = q.reshape(b, s, a, dh).transpose(0, 2, 1, 3);
        NDArray kT = k.reshape(b, s, a, dh).transpose(0, 2, 3, 1);
        NDArray v4 = v.reshape(b, s, a, dh).transpose(0, 2, 1, 3);
        NDArray scores = q4.matMul(kT).mul(attnScale).add(maskBias);
        NDArray probs = attention.apply(scores.softmax(-1));
        NDArray ctx = probs.matMul(v4).transpose(0, 2, 1, 3).reshape((long) b * s, h);
        NDArray attn = hidden.apply(linear(ctx, p + "attention.output.dense"));
        NDArray x1 = layerNorm(attn.add(x), p + "attention.output.LayerNorm");
        NDArray inter = Activation.gelu(linear(x1, p + "intermediate.dense"));
        NDArray out = hidden.apply(linear(inter, p + "output.dense"));
        if (spec.kind() == BlockKind.ADAPTER) {
            NDArray down = Activation.gelu(linear(out, p + "output.adapter.down"));
            out = out.add(linear(down, p + "output.adapter.up"));
        }
        return layerNorm(out.add(x1), p + "output.LayerNorm");
    }

    /**
     * A scalar factor that lives as long as the step's manager. Never {@code mul(Number)} inside the
     * graph: DJL makes that scalar from a Java direct buffer without copying (torch {@code from_blob}
     * on CPU) and closes it as soon as the product exists, but autograd keeps it for backward; a
     * garbage collection in between frees the buffer, and the gradient reads whatever is there then
     * (GcDuringTrainingTest). Every array created here is owned by {@code m} until the step ends.
     */
    private static NDArray scalar(NDManager m, float value) {
        return m.create(value);
    }

    /**
     * {@code scale * B(A x)}, scaled at rank r ({@code [b * s, r]}) rather than on the {@code [b * s, h]}
     * output: the same product (exactly so for the usual power-of-two alpha / r) for a pass over h / r
     * fewer elements.
     */
    private NDArray lora(NDArray x, String module, NDArray scale) {
        NDArray down =
                Linear.linear(x, parameter(module + ".lora_A.weight")).head().mul(scale);
        return Linear.linear(down, parameter(module + ".lora_B.weight")).head();
    }

    private NDArray linear(NDArray x, String module) {
        return Linear.linear(x, parameter(module + ".weight"), parameter(module + ".bias"))
                .head();
    }

    private NDArray layerNorm(NDArray x, String module) {
        return LayerNorm.layerNorm(
                        x,
                        new Shape(config.hiddenSize()),
                        parameter(module + ".weight"),
                        parameter(module + ".bias"),
                        config.layerNormEps())
                .head();
    }

    private void put(String name, HostTensor t) {
        params.put(name, manager.create(t.data(), new Shape(t.shape())));
    }

    @Override
    public void close() {
        manager.close();
    }
}
