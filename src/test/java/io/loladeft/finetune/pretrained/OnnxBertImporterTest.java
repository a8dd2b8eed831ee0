package io.loladeft.finetune.pretrained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.loladeft.finetune.model.CheckpointException;
import io.loladeft.finetune.model.HostTensor;
import org.junit.jupiter.api.Test;

/** The importer on tiny synthetic graphs wired as PyTorch exports BERT: both value encodings, every failure. */
class OnnxBertImporterTest {

    private static final int H = TinyOnnxBert.HIDDEN;
    private static final int F = TinyOnnxBert.FFN;

    @Test
    void readsFloatDataAndTransposesTheMatMulWeights() {
        TinyOnnxBert tiny = new TinyOnnxBert(2, false);
        ImportedBert bert = OnnxBertImporter.convert(tiny.graph(), "tiny");

        assertThat(bert.shape())
                .isEqualTo(new BertShape(
                        TinyOnnxBert.VOCAB,
                        H,
                        2,
                        TinyOnnxBert.HEADS,
                        F,
                        TinyOnnxBert.POSITIONS,
                        TinyOnnxBert.TYPES,
                        1e-12));
        assertThat(bert.pooler()).isFalse();
        assertThat(bert.tensors()).hasSize(5 + 2 * 16);
        assertThat(bert.skipped()).containsExactly("embeddings.position_ids (INT64)");
        // intermediate.dense of layer 1: the ONNX constant is [in=4, out=8]; HF wants [8, 4] with W_hf[o][i] =
        // W_onnx[i][o]
        TensorProto onnx = tiny.initializers.values().stream()
                .filter(t -> t.getName().startsWith("onnx::MatMul_") && t.getDims(1) == F)
                .skip(1)
                .findFirst()
                .orElseThrow();
        HostTensor hf = bert.tensors().get("encoder.layer.1.intermediate.dense.weight");
        assertThat(hf.shape()).containsExactly(F, H);
        for (int i = 0; i < H; i++) {
            for (int o = 0; o < F; o++) {
                assertThat(hf.data()[o * H + i]).isEqualTo(onnx.getFloatData(i * F + o));
            }
        }
    }

    @Test
    void rawDataGivesTheSameTensorsAsFloatData() {
        ImportedBert fromFloats = OnnxBertImporter.convert(new TinyOnnxBert(1, false).graph(), "floats");
        ImportedBert fromRaw = OnnxBertImporter.convert(new TinyOnnxBert(1, true).graph(), "raw");
        assertThat(fromRaw.tensors().keySet())
                .containsExactlyElementsOf(fromFloats.tensors().keySet());
        fromFloats
                .tensors()
                .forEach((name, t) -> assertThat(fromRaw.tensors().get(name).bitEquals(t))
                        .as(name)
                        .isTrue());
    }

    @Test
    void aMatMulWithoutANamedBiasIsAnError() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graphWith("encoder.layer.0.attention.self.key.bias", t -> null), "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("feeds no Add with a named bias");
    }

    @Test
    void aMissingTensorIsNamed() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graphWith("encoder.layer.0.output.LayerNorm.bias", t -> null), "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("tiny: 1 missing BERT tensor(s): encoder.layer.0.output.LayerNorm.bias");
    }

    @Test
    void aMisShapedTensorIsNamed() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graphWith(
                                "encoder.layer.0.attention.output.LayerNorm.weight",
                                t -> t.toBuilder()
                                        .clearDims()
                                        .addDims(2)
                                        .addDims(2)
                                        .build()),
                        "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("tiny: tensor encoder.layer.0.attention.output.LayerNorm.weight has shape [2, 2]"
                        + " but the model's sizes imply [4]");
    }

    @Test
    void aMatMulWeightThatDoesNotFitItsBiasIsAnError() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        String queryWeight = tiny.initializers.keySet().stream()
                .filter(n -> n.startsWith("onnx::MatMul_"))
                .findFirst()
                .orElseThrow();
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graphWith(
                                queryWeight,
                                t -> t.toBuilder()
                                        .clearDims()
                                        .addDims(H * 2)
                                        .addDims(H / 2)
                                        .build()),
                        "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not fit its bias encoder.layer.0.attention.self.query.bias");
    }

    @Test
    void valuesThatDoNotMatchTheDimsAreAnError() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graphWith(
                                "embeddings.LayerNorm.bias",
                                t -> t.toBuilder().addFloatData(1f).build()),
                        "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("tiny: tensor embeddings.LayerNorm.bias of shape [4] needs 4 values, has 5");
    }

    @Test
    void anUnexplainedFloatTensorIsAnError() {
        TinyOnnxBert tiny = new TinyOnnxBert(1, false);
        TensorProto extra = TensorProto.newBuilder()
                .setName("cls.predictions.bias")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(1)
                .addFloatData(0f)
                .build();
        assertThatThrownBy(() -> OnnxBertImporter.convert(
                        tiny.graph().toBuilder().addInitializer(extra).build(), "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("tiny: 1 float tensor(s) that are not part of a 1-layer BertModel: cls.predictions.bias");
    }

    @Test
    void withoutTheHeadSplitTheHeadCountIsNotGuessed() {
        assertThatThrownBy(() -> OnnxBertImporter.convert(new TinyOnnxBert(1, false).graphWithout("Reshape"), "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("head count is unknown");
    }

    @Test
    void withoutTheLayerNormEpsilonNothingIsGuessed() {
        assertThatThrownBy(() -> OnnxBertImporter.convert(new TinyOnnxBert(1, false).graphWithout("Sqrt"), "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("tiny: cannot find the epsilon of the LayerNorm that uses embeddings.LayerNorm.weight");
    }

    @Test
    void notAnOnnxFileIsACheckpointException() {
        assertThatThrownBy(() -> OnnxModelParser.parse("not protobuf at all".getBytes(), "junk.onnx"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("junk.onnx: ");
    }
}
