package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.loladeft.finetune.model.CheckpointException;
import io.loladeft.finetune.model.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names the Linear weights. PyTorch's exporter folds each {@code nn.Linear} weight into a transposed
 * constant ({@code onnx::MatMul_NNN}, shape [in, out]) and keeps only the bias under its module name,
 * so the name is recovered from the wiring: {@code MatMul(x, W)} feeds {@code Add(X.bias, ·)}, hence W
 * is {@code X.weight}. It is transposed back to transformers' [out, in].
 */
final class MatMulWeights {

    /** The weights found, by HF name, and the initializers they came from (consumed). */
    record Found(Map<String, HostTensor> weights, List<String> initializers) {}

    private MatMulWeights() {}

    static Found find(OnnxGraph graph) {
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        List<String> used = new ArrayList<>();
        for (NodeProto matMul : graph.nodes("MatMul")) {
            if (matMul.getInputCount() != 2) {
                continue;
            }
            if (graph.isInitializer(matMul.getInput(0))) {
                throw new CheckpointException(graph.source + ": MatMul " + matMul.getName()
                        + " multiplies a constant from the left; only x·W (W an [in, out] constant) is understood");
            }
            String w = matMul.getInput(1);
            if (!graph.isInitializer(w)) {
                continue; // attention scores and context: activations on both sides
            }
            String bias = biasOf(graph, matMul);
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            TensorProto wt = graph.initializers().get(w);
            long[] shape = OnnxTensors.shape(wt);
            long[] biasShape = OnnxTensors.shape(graph.initializers().get(bias));
            if (shape.length != 2 || biasShape.length != 1 || shape[1] != biasShape[0]) {
                throw new CheckpointException(
                        graph.source + ": MatMul weight " + w + " of shape " + Arrays.toString(shape)
                                + " does not fit its bias " + bias + " of shape " + Arrays.toString(biasShape)
                                + " (expected [in, " + (biasShape.length == 1 ? biasShape[0] : "?") + "])");
            }
            if (weights.containsKey(name)) {
                throw new CheckpointException(graph.source + ": two MatMul weights add the bias " + bias);
            }
            weights.put(name, transpose(OnnxTensors.floats(wt, graph.source)));
            used.add(w);
        }
        return new Found(weights, used);
    }

    /** The named bias added to the MatMul's output; exactly one is required. */
    private static String biasOf(OnnxGraph graph, NodeProto matMul) {
        String out = matMul.getOutput(0);
        List<String> biases = new ArrayList<>();
        for (NodeProto add : graph.consumers(out)) {
            if (add.getOpType().equals("Add")) {
                OnnxGraph.otherInput(add, out)
                        .filter(b -> graph.isInitializer(b) && b.endsWith(".bias"))
                        .ifPresent(biases::add);
            }
        }
        if (biases.size() != 1) {
            throw new CheckpointException(graph.source + ": MatMul " + matMul.getName() + " with constant "
                    + matMul.getInput(1) + " feeds "
                    + (biases.isEmpty() ? "no Add with a named bias" : "several named biases " + biases)
                    + ", so its Hugging Face name is unknown");
        }
        return biases.get(0);
    }

    /** [in, out] row-major to [out, in] row-major. */
    static HostTensor transpose(HostTensor w) {
        int in = (int) w.shape()[0];
        int out = (int) w.shape()[1];
        float[] src = w.data();
        float[] dst = new float[src.length];
        for (int i = 0; i < in; i++) {
            int row = i * out;
            for (int o = 0; o < out; o++) {
                dst[o * in + i] = src[row + o];
            }
        }
        return new HostTensor(new long[] {out, in}, dst);
    }
}
