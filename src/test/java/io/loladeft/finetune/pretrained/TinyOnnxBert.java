package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A tiny BERT graph wired the way PyTorch exports one (hidden 4, 2 heads, FFN 8, vocab 7, 5 positions,
 * 2 types, {@code layers} layers): named initializers, Linear weights as {@code onnx::MatMul_N} [in, out]
 * feeding {@code Add(X.bias, ·)}, the q/k/v head split Reshape with a Concat shape, the decomposed
 * LayerNorm with its epsilon constant, and the INT64 position_ids buffer. Values are deterministic
 * (each weight element is distinct), stored in {@code float_data} or, on request, {@code raw_data}.
 * Only the wiring the importer reads is present; the graph is not runnable.
 */
final class TinyOnnxBert {

    static final int HIDDEN = 4;
    static final int HEADS = 2;
    static final int FFN = 8;
    static final int VOCAB = 7;
    static final int POSITIONS = 5;
    static final int TYPES = 2;

    final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    final List<NodeProto> nodes = new ArrayList<>();
    private final boolean raw;
    private int counter;
    private float next = 0.01f;

    TinyOnnxBert(int layers, boolean raw) {
        this.raw = raw;
        floatInit("embeddings.word_embeddings.weight", VOCAB, HIDDEN);
        floatInit("embeddings.position_embeddings.weight", POSITIONS, HIDDEN);
        floatInit("embeddings.token_type_embeddings.weight", TYPES, HIDDEN);
        initializers.put(
                "embeddings.position_ids",
                TensorProto.newBuilder()
                        .setName("embeddings.position_ids")
                        .setDataType(TensorProto.DataType.INT64_VALUE)
                        .addDims(1)
                        .addDims(POSITIONS)
                        .addAllInt64Data(List.of(0L, 1L, 2L, 3L, 4L))
                        .build());
        String h = layerNorm("emb_sum", "embeddings.LayerNorm");
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                headSplit(linear(h, p + "attention.self." + qkv, HIDDEN, HIDDEN));
            }
            String attn = linear("context" + l, p + "attention.output.dense", HIDDEN, HIDDEN);
            h = layerNorm(attn, p + "attention.output.LayerNorm");
            String ffn = linear(h, p + "intermediate.dense", HIDDEN, FFN);
            String out = linear(ffn + "_gelu", p + "output.dense", FFN, HIDDEN);
            h = layerNorm(out, p + "output.LayerNorm");
        }
    }

    GraphProto graph() {
        return GraphProto.newBuilder()
                .setName("tiny")
                .addAllNode(nodes)
                .addAllInitializer(initializers.values())
                .build();
    }

    /** The graph with one initializer replaced ({@code null} from {@code edit} removes it). */
    GraphProto graphWith(String initializer, UnaryOperator<TensorProto> edit) {
        Map<String, TensorProto> copy = new LinkedHashMap<>(initializers);
        TensorProto edited = edit.apply(copy.get(initializer));
        if (edited == null) {
            copy.remove(initializer);
        } else {
            copy.put(initializer, edited);
        }
        return GraphProto.newBuilder()
                .setName("tiny")
                .addAllNode(nodes)
                .addAllInitializer(copy.values())
                .build();
    }

    GraphProto graphWithout(String opType) {
        return GraphProto.newBuilder()
                .setName("tiny")
                .addAllInitializer(initializers.values())
                .addAllNode(nodes.stream()
                        .filter(n -> !n.getOpType().equals(opType))
                        .toList())
                .build();
    }

    /** MatMul(x, W [in, out]) then Add(bias, ·), as PyTorch exports nn.Linear. Returns the output. */
    private String linear(String x, String module, int in, int out) {
        String w = "onnx::MatMul_" + (100 + counter++);
        floatInit(w, in, out);
        floatInit(module + ".bias", out);
        String mm = node("MatMul", x, w);
        return node("Add", module + ".bias", mm);
    }

    /** Reshape(x, Concat(batch, seq, [heads], [head_dim])) as in BertSelfAttention.transpose_for_scores. */
    private void headSplit(String x) {
        String shape = node(
                "Concat", node("Shape", x), node("Shape", x), constant(int64(HEADS)), constant(int64(HIDDEN / HEADS)));
        node("Reshape", x, shape);
    }

    /** x - mean, / sqrt(var + eps), * weight, + bias. Returns the output. */
    private String layerNorm(String x, String module) {
        floatInit(module + ".weight", HIDDEN);
        floatInit(module + ".bias", HIDDEN);
        String sub = node("Sub", x, node("ReduceMean", x));
        String var = node("ReduceMean", node("Pow", sub, constant(scalar(2f))));
        String sqrt = node("Sqrt", node("Add", var, constant(scalar(1e-12f))));
        String mul = node("Mul", node("Div", sub, sqrt), module + ".weight");
        return node("Add", mul, module + ".bias");
    }

    private String node(String op, String... inputs) {
        String out = "/" + op + "_" + counter++ + "_output_0";
        nodes.add(NodeProto.newBuilder()
                .setOpType(op)
                .setName("/" + op + "_" + counter)
                .addAllInput(List.of(inputs))
                .addOutput(out)
                .build());
        return out;
    }

    private String constant(TensorProto value) {
        String out = "/Constant_" + counter++ + "_output_0";
        nodes.add(NodeProto.newBuilder()
                .setOpType("Constant")
                .setName("/Constant_" + counter)
                .addOutput(out)
                .addAttribute(AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(value))
                .build());
        return out;
    }

    private static TensorProto int64(long v) {
        return TensorProto.newBuilder()
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(1)
                .setRawData(ByteString.copyFrom(ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, v)
                        .array()))
                .build();
    }

    private static TensorProto scalar(float v) {
        return TensorProto.newBuilder()
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(v)
                .build();
    }

    private void floatInit(String name, int... dims) {
        int n = 1;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (int d : dims) {
            t.addDims(d);
            n *= d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = next;
            next += 0.01f;
        }
        if (raw) {
            ByteBuffer bytes = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            t.setRawData(ByteString.copyFrom(bytes.array()));
        } else {
            for (float v : values) {
                t.addFloatData(v);
            }
        }
        initializers.put(name, t.build());
    }
}
