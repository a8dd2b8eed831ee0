package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.loladeft.finetune.model.CheckpointException;
import java.util.Arrays;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The two hyperparameters that are not tensor shapes, read from the graph's constants: the attention
 * head count (the Reshape that splits q/k/v into [batch, seq, heads, head_dim]) and the LayerNorm
 * epsilon (the constant added to the variance). Guessing either would give a model that loads fine
 * and computes something else, so both must be found and agree across layers.
 */
final class GraphConstants {

    private static final Pattern QKV_BIAS =
            Pattern.compile("encoder\\.layer\\.\\d+\\.attention\\.self\\.(query|key|value)\\.bias");

    private GraphConstants() {}

    static int heads(OnnxGraph graph, int hidden) {
        TreeSet<Long> found = new TreeSet<>();
        for (NodeProto reshape : graph.nodes("Reshape")) {
            if (reshape.getInputCount() != 2 || !isQkvProjection(graph, reshape.getInput(0))) {
                continue;
            }
            long[] target = reshapeTarget(graph, reshape.getInput(1))
                    .orElseThrow(() -> new CheckpointException(
                            graph.source + ": the head split " + reshape.getName() + " has no constant head count"));
            if (target.length != 4 || target[2] <= 0 || target[2] * target[3] != hidden) {
                throw new CheckpointException(graph.source + ": the head split " + reshape.getName() + " reshapes to "
                        + Arrays.toString(target) + ", not [batch, seq, heads, " + hidden + "/heads]");
            }
            found.add(target[2]);
        }
        if (found.size() != 1) {
            throw new CheckpointException(graph.source + ": "
                    + (found.isEmpty()
                            ? "no Reshape splits the query/key/value projections into heads, so the head count is unknown"
                            : "the layers disagree on the head count: " + found));
        }
        return Math.toIntExact(found.first());
    }

    static double layerNormEps(OnnxGraph graph, Iterable<String> layerNormWeights) {
        TreeSet<Float> found = new TreeSet<>();
        for (String weight : layerNormWeights) {
            found.add(eps(graph, weight)
                    .orElseThrow(() -> new CheckpointException(
                            graph.source + ": cannot find the epsilon of the LayerNorm that uses " + weight)));
        }
        if (found.size() != 1) {
            throw new CheckpointException(graph.source + ": "
                    + (found.isEmpty() ? "no LayerNorm weights" : "the LayerNorms disagree on epsilon: " + found));
        }
        // Through the float's shortest decimal form, so 1e-12f becomes 1e-12 rather than 9.99999996e-13.
        return Double.parseDouble(Float.toString(found.first()));
    }

    /** Is {@code value} the output of {@code Add(X.bias, MatMul)} for a query, key or value projection? */
    private static boolean isQkvProjection(OnnxGraph graph, String value) {
        return graph.producer(value, "Add")
                .filter(add -> add.getInputList().stream()
                        .anyMatch(in -> QKV_BIAS.matcher(in).matches()))
                .isPresent();
    }

    /** A Reshape target that is a constant, or a Concat of pieces whose constant pieces are one element each. */
    private static Optional<long[]> reshapeTarget(OnnxGraph graph, String shape) {
        Optional<TensorProto> constant = graph.constant(shape);
        if (constant.isPresent()) {
            return Optional.of(OnnxTensors.int64s(constant.get(), graph.source));
        }
        return graph.producer(shape, "Concat").map(concat -> {
            long[] dims = new long[concat.getInputCount()];
            for (int i = 0; i < dims.length; i++) {
                long[] piece = graph.constant(concat.getInput(i))
                        .map(t -> OnnxTensors.int64s(t, graph.source))
                        .orElse(null);
                dims[i] = piece != null && piece.length == 1 ? piece[0] : -1; // batch and seq are dynamic
            }
            return dims;
        });
    }

    /**
     * A LayerNormalization node's epsilon attribute, or, for the decomposed form PyTorch emits at opset
     * below 17, the constant in {@code Mul(Div(x - mean, Sqrt(Add(var, eps))), weight)}.
     */
    private static Optional<Float> eps(OnnxGraph graph, String weight) {
        for (NodeProto node : graph.consumers(weight)) {
            if (node.getOpType().equals("LayerNormalization")) {
                return Optional.of(node.getAttributeList().stream()
                        .filter(a -> a.getName().equals("epsilon"))
                        .map(AttributeProto::getF)
                        .findFirst()
                        .orElse(1e-5f)); // the ONNX default
            }
            if (!node.getOpType().equals("Mul")) {
                continue;
            }
            Optional<Float> eps = OnnxGraph.otherInput(node, weight)
                    .flatMap(v -> graph.producer(v, "Div"))
                    .flatMap(div -> graph.producer(div.getInput(1), "Sqrt"))
                    .flatMap(sqrt -> graph.producer(sqrt.getInput(0), "Add"))
                    .flatMap(add -> add.getInputList().stream()
                            .map(graph::constant)
                            .flatMap(Optional::stream)
                            .filter(t -> OnnxTensors.isFloat(t)
                                    && t.getDimsList().stream().allMatch(d -> d == 1))
                            .findFirst())
                    .map(t -> OnnxTensors.floats(t, graph.source).data()[0]);
            if (eps.isPresent()) {
                return eps;
            }
        }
        return Optional.empty();
    }
}
