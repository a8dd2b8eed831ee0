package io.loladeft.finetune.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.ortools.sat.CpModelProto;
import com.google.ortools.sat.IntegerVariableProto;
import com.google.protobuf.RuntimeVersion;
import org.junit.jupiter.api.Test;

/**
 * One protobuf-java serves both generated schemas on the classpath: tribuo's ONNX schema (protoc 3.x
 * gencode, which main uses) and ortools' CP-SAT schema (4.x gencode, test scope). Main and test
 * resolve the same pinned version, so passing here is passing for main too.
 */
class ProtobufRuntimeTest {

    @Test
    void theRuntimeIsTheOneSpringBootManages() {
        // ortools-java 9.15 declares 4.33.1; its gencode refuses an older runtime
        assertThat(RuntimeVersion.MAJOR).isEqualTo(4);
        assertThat(RuntimeVersion.MINOR).isGreaterThanOrEqualTo(33);
    }

    @Test
    void bothGeneratedSchemasRoundTripOnIt() throws Exception {
        ModelProto onnx =
                ModelProto.newBuilder().setIrVersion(6).setProducerName("test").build();
        assertThat(ModelProto.parseFrom(onnx.toByteArray())).isEqualTo(onnx);

        CpModelProto sat = CpModelProto.newBuilder()
                .setName("m")
                .addVariables(IntegerVariableProto.newBuilder().addDomain(0).addDomain(1))
                .build();
        assertThat(CpModelProto.parseFrom(sat.toByteArray())).isEqualTo(sat);
    }
}
