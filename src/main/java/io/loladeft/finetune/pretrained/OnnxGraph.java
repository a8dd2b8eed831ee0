package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A graph indexed for walking its wiring: initializers by name, and for every value the node that
 * produces it and the nodes that consume it. {@code source} names the file in error messages.
 */
final class OnnxGraph {

    final String source;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final List<NodeProto> nodes;

    OnnxGraph(GraphProto graph, String source) {
        this.source = source;
        this.nodes = graph.getNodeList();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (NodeProto node : nodes) {
            for (String out : node.getOutputList()) {
                producers.put(out, node);
            }
            for (String in : node.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** Initializers in file order. */
    Map<String, TensorProto> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    boolean isInitializer(String value) {
        return initializers.containsKey(value);
    }

    List<NodeProto> nodes(String opType) {
        return nodes.stream().filter(n -> n.getOpType().equals(opType)).toList();
    }

    Optional<NodeProto> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** The producer of {@code value} if it is a node of type {@code opType}. */
    Optional<NodeProto> producer(String value, String opType) {
        return producer(value).filter(n -> n.getOpType().equals(opType));
    }

    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The tensor behind a constant value: an initializer, or the {@code value} of a Constant node. */
    Optional<TensorProto> constant(String value) {
        TensorProto init = initializers.get(value);
        if (init != null) {
            return Optional.of(init);
        }
        return producer(value, "Constant")
                .flatMap(n -> n.getAttributeList().stream()
                        .filter(a -> a.getName().equals("value") && a.getType() == AttributeProto.AttributeType.TENSOR)
                        .map(AttributeProto::getT)
                        .findFirst());
    }

    /** The input of a two-input node that is not {@code known}. */
    static Optional<String> otherInput(NodeProto node, String known) {
        if (node.getInputCount() != 2) {
            return Optional.empty();
        }
        if (node.getInput(0).equals(known)) {
            return Optional.of(node.getInput(1));
        }
        return node.getInput(1).equals(known) ? Optional.of(node.getInput(0)) : Optional.empty();
    }
}
