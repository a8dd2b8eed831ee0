package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.loladeft.finetune.model.CheckpointException;
import io.loladeft.finetune.model.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the graph of a BERT encoder exported by PyTorch into transformers' {@code BertModel} tensors.
 * Initializers already named as HF modules are taken as they are; the Linear weights are found through
 * the graph ({@link MatMulWeights}); sizes come from tensor shapes and the two non-shape
 * hyperparameters from graph constants ({@link GraphConstants}). The result must be exactly the state
 * dict those sizes imply: any missing, mis-shaped or unexplained float tensor is an error.
 */
final class OnnxBertImporter {

    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\..*");

    private OnnxBertImporter() {}

    static ImportedBert convert(GraphProto graphProto, String source) {
        OnnxGraph graph = new OnnxGraph(graphProto, source);
        MatMulWeights.Found linear = MatMulWeights.find(graph);
        Set<String> consumed = new HashSet<>(linear.initializers());
        Map<String, HostTensor> found = new HashMap<>(linear.weights());
        List<String> skipped = new ArrayList<>();
        for (TensorProto t : graph.initializers().values()) {
            if (consumed.contains(t.getName())) {
                continue;
            }
            if (!OnnxTensors.isFloat(t)) {
                // e.g. embeddings.position_ids (INT64): a buffer, not a weight
                skipped.add(t.getName() + " (" + OnnxTensors.dtypeName(t) + ")");
                continue;
            }
            if (found.containsKey(t.getName())) {
                throw new CheckpointException(
                        source + ": " + t.getName() + " is both a named initializer and the weight of a MatMul");
            }
            found.put(t.getName(), OnnxTensors.floats(t, source));
        }

        BertShape shape = shape(graph, found);
        boolean pooler = found.containsKey("pooler.dense.weight") || found.containsKey("pooler.dense.bias");
        Map<String, long[]> expected = shape.tensors(pooler);
        List<String> missing =
                expected.keySet().stream().filter(n -> !found.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new CheckpointException(source + ": " + missing.size() + " missing BERT tensor(s): " + head(missing));
        }
        List<String> unexpected = found.keySet().stream()
                .filter(n -> !expected.containsKey(n))
                .sorted()
                .toList();
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(source + ": " + unexpected.size() + " float tensor(s) that are not part of a "
                    + shape.layers() + "-layer BertModel: " + head(unexpected));
        }
        Map<String, HostTensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor t = found.get(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(source + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(t.shape()) + " but the model's sizes imply " + Arrays.toString(e.getValue()));
            }
            ordered.put(e.getKey(), t);
        }
        return new ImportedBert(shape, pooler, ordered, List.copyOf(skipped));
    }

    /** Sizes from the embedding tables, the layer names and the FFN bias; heads and epsilon from the graph. */
    private static BertShape shape(OnnxGraph graph, Map<String, HostTensor> found) {
        long[] words = require(graph, found, "embeddings.word_embeddings.weight", 2);
        long[] positions = require(graph, found, "embeddings.position_embeddings.weight", 2);
        long[] types = require(graph, found, "embeddings.token_type_embeddings.weight", 2);
        int layers = 0;
        for (String name : found.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (layers == 0) {
            throw new CheckpointException(graph.source + ": no encoder.layer.N tensors; not a BERT encoder");
        }
        long[] ffn = require(graph, found, "encoder.layer.0.intermediate.dense.bias", 1);
        int hidden = Math.toIntExact(words[1]);
        List<String> layerNorms = new ArrayList<>();
        layerNorms.add("embeddings.LayerNorm.weight");
        for (int l = 0; l < layers; l++) {
            layerNorms.add("encoder.layer." + l + ".attention.output.LayerNorm.weight");
            layerNorms.add("encoder.layer." + l + ".output.LayerNorm.weight");
        }
        layerNorms.removeIf(n -> !found.containsKey(n)); // a missing one is reported by name afterwards
        return new BertShape(
                Math.toIntExact(words[0]),
                hidden,
                layers,
                GraphConstants.heads(graph, hidden),
                Math.toIntExact(ffn[0]),
                Math.toIntExact(positions[0]),
                Math.toIntExact(types[0]),
                GraphConstants.layerNormEps(graph, layerNorms));
    }

    private static long[] require(OnnxGraph graph, Map<String, HostTensor> found, String name, int rank) {
        HostTensor t = found.get(name);
        if (t == null) {
            throw new CheckpointException(graph.source + ": no FLOAT initializer " + name + "; not a BERT encoder");
        }
        if (t.shape().length != rank) {
            throw new CheckpointException(graph.source + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected rank " + rank);
        }
        return t.shape();
    }

    private static String head(List<String> names) {
        return names.size() <= 6
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + ", ... (" + (names.size() - 6) + " more)";
    }
}
