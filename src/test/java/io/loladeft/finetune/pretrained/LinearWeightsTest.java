package io.loladeft.finetune.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.loladeft.finetune.model.HostTensor;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exported Linear weights compute what the ONNX graph computes: for a random x, the graph's
 * {@code x · W_onnx} (W_onnx the raw initializer of the MatMul node, found here by the exporter's node
 * name, independently of the importer's bias-based naming) equals HF's {@code W_hf · x}.
 */
class LinearWeightsTest {

    private static GraphProto graph;

    @BeforeAll
    static void parse() {
        graph = OnnxModelParser.parse(
                        PretrainedModels.resourceBytes(PretrainedModels.ONNX_RESOURCE), PretrainedModels.ONNX_RESOURCE)
                .getGraph();
    }

    @ParameterizedTest
    @CsvSource({
        "/encoder/layer.0/intermediate/dense/MatMul, encoder.layer.0.intermediate.dense.weight, 384, 1536",
        "/encoder/layer.3/attention/self/query/MatMul, encoder.layer.3.attention.self.query.weight, 384, 384",
        "/encoder/layer.5/attention/self/value/MatMul, encoder.layer.5.attention.self.value.weight, 384, 384",
        "/encoder/layer.5/output/dense/MatMul, encoder.layer.5.output.dense.weight, 1536, 384",
    })
    void hfWeightTimesXEqualsXTimesTheOnnxWeight(String node, String hfName, int in, int out) {
        float[] wOnnx = rawInitializer(weightOf(node), in, out);
        HostTensor wHf = SharedImport.tensors().get(hfName);
        assertThat(wHf.shape()).containsExactly(out, in);

        double[] x = new SplittableRandom(7).doubles(in, -1, 1).toArray();
        double[] onnx = new double[out];
        double[] hf = new double[out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                onnx[o] += x[i] * wOnnx[i * out + o]; // (x · W_onnx)[o], W_onnx row-major [in, out]
                hf[o] += wHf.data()[o * in + i] * x[i]; // (W_hf · x)[o], W_hf row-major [out, in]
            }
        }
        // Same products summed in the same order: equal to the last bit if the transpose is right.
        assertThat(hf).containsExactly(onnx);
        assertThat(Arrays.stream(hf).map(Math::abs).max().orElseThrow()).isGreaterThan(1e-3);
    }

    @Test
    void theNamedInitializersAreCopiedBitForBit() {
        TensorProto words = graph.getInitializerList().stream()
                .filter(t -> t.getName().equals("embeddings.word_embeddings.weight"))
                .findFirst()
                .orElseThrow();
        float[] onnx = rawInitializer(words, 30522, 384);
        float[] hf =
                SharedImport.tensors().get("embeddings.word_embeddings.weight").data();
        // Arrays.equals: AssertJ's containsExactly diffs 11.7 M elements quadratically
        assertThat(Arrays.equals(hf, onnx)).isTrue();
    }

    @Test
    void theGraphHasNoPooler() {
        assertThat(graph.getInitializerList()).noneMatch(t -> t.getName().startsWith("pooler."));
        assertThat(graph.getNodeList()).noneMatch(n -> n.getName().contains("pooler"));
        assertThat(graph.getOutputList()).extracting(v -> v.getName()).containsExactly("last_hidden_state");
    }

    private static TensorProto weightOf(String nodeName) {
        NodeProto matMul = graph.getNodeList().stream()
                .filter(n -> n.getName().equals(nodeName))
                .findFirst()
                .orElseThrow();
        return graph.getInitializerList().stream()
                .filter(t -> t.getName().equals(matMul.getInput(1)))
                .findFirst()
                .orElseThrow();
    }

    private static float[] rawInitializer(TensorProto t, int rows, int cols) {
        assertThat(t.getDimsList()).containsExactly((long) rows, (long) cols);
        FloatBuffer raw = t.getRawData()
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[] out = new float[raw.remaining()];
        raw.get(out);
        assertThat(out).hasSize(rows * cols);
        return out;
    }
}
