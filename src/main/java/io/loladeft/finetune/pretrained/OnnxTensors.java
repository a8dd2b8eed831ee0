package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.loladeft.finetune.model.CheckpointException;
import io.loladeft.finetune.model.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes {@code onnx.TensorProto}s. Exporters store values either in {@code raw_data} (little-endian
 * bytes, what PyTorch writes) or in the typed repeated fields ({@code float_data}, {@code int64_data});
 * both are read. External data (weights in a side file) is refused: the importer reads single files.
 */
final class OnnxTensors {

    private OnnxTensors() {}

    static boolean isFloat(TensorProto t) {
        return t.getDataType() == DataType.FLOAT_VALUE;
    }

    static String dtypeName(TensorProto t) {
        DataType type = DataType.forNumber(t.getDataType());
        return type == null ? "data_type " + t.getDataType() : type.name();
    }

    static long[] shape(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A FLOAT tensor as a host tensor of the same shape. */
    static HostTensor floats(TensorProto t, String source) {
        requireInline(t, source);
        if (!isFloat(t)) {
            throw new CheckpointException(source + ": tensor " + t.getName() + " is " + dtypeName(t) + ", not FLOAT");
        }
        long[] shape = shape(t);
        int n = count(t, shape, source);
        float[] data = new float[n];
        if (t.hasRawData()) {
            requireBytes(t, shape, n, 4, t.getRawData().size(), source);
            t.getRawData()
                    .asReadOnlyByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(data);
        } else {
            requireBytes(t, shape, n, 1, t.getFloatDataCount(), source);
            for (int i = 0; i < n; i++) {
                data[i] = t.getFloatData(i);
            }
        }
        return new HostTensor(shape, data);
    }

    /** An INT64 tensor's values (shape constants such as a Reshape target). */
    static long[] int64s(TensorProto t, String source) {
        requireInline(t, source);
        if (t.getDataType() != DataType.INT64_VALUE) {
            throw new CheckpointException(source + ": tensor " + t.getName() + " is " + dtypeName(t) + ", not INT64");
        }
        long[] shape = shape(t);
        int n = count(t, shape, source);
        long[] values = new long[n];
        if (t.hasRawData()) {
            requireBytes(t, shape, n, 8, t.getRawData().size(), source);
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            raw.asLongBuffer().get(values);
        } else {
            requireBytes(t, shape, n, 1, t.getInt64DataCount(), source);
            for (int i = 0; i < n; i++) {
                values[i] = t.getInt64Data(i);
            }
        }
        return values;
    }

    private static void requireInline(TensorProto t, String source) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new CheckpointException(source + ": tensor " + t.getName()
                    + " keeps its values in an external file, which is not supported");
        }
    }

    private static int count(TensorProto t, long[] shape, String source) {
        long n;
        try {
            n = HostTensor.numel(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CheckpointException(
                    source + ": tensor " + t.getName() + " has bad dims " + Arrays.toString(shape));
        }
        if (n > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(source + ": tensor " + t.getName() + " has " + n + " elements, too many");
        }
        return (int) n;
    }

    private static void requireBytes(TensorProto t, long[] shape, int n, int width, int have, String source) {
        if ((long) n * width != have) {
            throw new CheckpointException(source + ": tensor " + t.getName() + " of shape " + Arrays.toString(shape)
                    + " needs " + (long) n * width + (width == 1 ? " values" : " bytes") + ", has " + have);
        }
    }
}
