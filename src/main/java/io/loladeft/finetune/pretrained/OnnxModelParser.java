package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.loladeft.finetune.model.CheckpointException;
import java.io.IOException;

/** Parses the bytes of an {@code .onnx} file (a serialised {@code onnx.ModelProto}). */
final class OnnxModelParser {

    private OnnxModelParser() {}

    /**
     * With aliasing, every {@code raw_data} field is a view of {@code bytes} rather than a copy, so the
     * weights are held once until they are decoded. The caller must not modify {@code bytes} afterwards.
     */
    static ModelProto parse(byte[] bytes, String source) {
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        in.enableAliasing(true);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(in);
        } catch (IOException e) { // InvalidProtocolBufferException; the input is in memory, so nothing else
            throw new CheckpointException(source + ": not an ONNX model: " + e.getMessage());
        }
        if (!model.hasGraph()) {
            throw new CheckpointException(source + ": ONNX model has no graph");
        }
        return model;
    }
}
