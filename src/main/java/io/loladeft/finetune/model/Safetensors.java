package io.loladeft.finetune.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, a JSON header, raw
 * little-endian data). Reading converts F32, F16 and BF16 to float32 here, in Java, so BF16 never
 * reaches DJL's decoder; other dtypes are a clear error. Writing emits F32 by default (bit exact),
 * or F16/BF16 on request.
 */
public final class Safetensors {

    public enum DType {
        F32,
        F16,
        BF16
    }

    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() {}

    public static Map<String, HostTensor> read(Path file) {
        return read(file, name -> false);
    }

    public static Map<String, HostTensor> read(Path file, Predicate<String> skip) {
        byte[] bytes;
        try {
            bytes = readFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return read(bytes, file.toString(), skip);
    }

    /**
     * The whole file, read in 1 MiB pieces. Not {@code Files.readAllBytes}: its channel reads go through a
     * temporary direct buffer as large as the file, which the JDK then caches for the reading thread, so
     * a checkpoint load would keep a second native copy of the weights for the life of the thread (85 MiB
     * for all-MiniLM-L6-v2, measured by {@code FinetuneMain depth-memory}).
     */
    private static byte[] readFile(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": " + size + " bytes is too large to read");
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = Files.newInputStream(file)) {
            int off = 0;
            while (off < bytes.length) {
                int n = in.read(bytes, off, Math.min(1 << 20, bytes.length - off));
                if (n < 0) {
                    throw new IOException(file + " shrank while being read");
                }
                off += n;
            }
        }
        return bytes;
    }

    /** Parses safetensors bytes; {@code source} names them in error messages. Keeps file order. */
    public static Map<String, HostTensor> read(byte[] bytes, String source) {
        return read(bytes, source, name -> false);
    }

    /** As {@link #read(byte[], String)}, leaving out tensors whose name {@code skip} accepts (any dtype). */
    public static Map<String, HostTensor> read(byte[] bytes, String source, Predicate<String> skip) {
        if (bytes.length < 8) {
            throw new CheckpointException(source + ": not a safetensors file (" + bytes.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
            throw new CheckpointException(source + ": bad safetensors header length " + headerLen);
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (RuntimeException e) {
            throw new CheckpointException(source + ": safetensors header is not a JSON object: " + e.getMessage());
        }
        int dataStart = 8 + (int) headerLen;
        long dataLen = bytes.length - dataStart;
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__") || skip.test(name)) {
                continue;
            }
            JsonObject info = e.getValue().getAsJsonObject();
            String dtype = info.get("dtype").getAsString();
            JsonArray shapeJson = info.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
            }
            JsonArray off = info.getAsJsonArray("data_offsets");
            long begin = off.get(0).getAsLong();
            long end = off.get(1).getAsLong();
            if (begin < 0 || end < begin || end > dataLen) {
                throw new CheckpointException(source + ": tensor " + name + " has data offsets [" + begin + ", " + end
                        + "] outside the " + dataLen + " data bytes");
            }
            long n = HostTensor.numel(shape);
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default ->
                    throw new CheckpointException(source + ": tensor " + name + " has dtype " + dtype
                            + "; only F32, F16 and BF16 are supported");
            };
            if (end - begin != n * width) {
                throw new CheckpointException(source + ": tensor " + name + " of shape " + Arrays.toString(shape)
                        + " and dtype " + dtype + " needs " + n * width + " bytes, has " + (end - begin));
            }
            float[] data = new float[(int) n];
            int p = dataStart + (int) begin;
            switch (dtype) {
                case "F32" ->
                    buf.slice(p, (int) (n * 4))
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer()
                            .get(data);
                case "F16" -> {
                    for (int i = 0; i < n; i++, p += 2) {
                        data[i] = halfToFloat(buf.getShort(p));
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++, p += 2) {
                        data[i] = Float.intBitsToFloat((buf.getShort(p) & 0xffff) << 16);
                    }
                }
            }
            out.put(name, new HostTensor(shape, data));
        }
        return out;
    }

    public static byte[] write(Map<String, HostTensor> tensors) {
        return write(tensors, DType.F32);
    }

    /** Serialises tensors in map order; F32 is bit exact, F16/BF16 round to nearest even. */
    public static byte[] write(Map<String, HostTensor> tensors, DType dtype) {
        int width = dtype == DType.F32 ? 4 : 2;
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        header.add("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            JsonObject info = new JsonObject();
            info.addProperty("dtype", dtype.name());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray off = new JsonArray();
            long len = (long) e.getValue().data().length * width;
            off.add(offset);
            off.add(offset + len);
            info.add("data_offsets", off);
            header.add(e.getKey(), info);
            offset += len;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        int headerLen = h.length + pad;
        long total = 8L + headerLen + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new CheckpointException("checkpoint of " + total + " bytes is too large for one array");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLen);
        buf.put(h);
        for (int i = 0; i < pad; i++) {
            buf.put((byte) ' ');
        }
        for (HostTensor t : tensors.values()) {
            if (dtype == DType.F32) {
                int len = t.data().length * 4;
                buf.slice(buf.position(), len)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .put(t.data());
                buf.position(buf.position() + len);
                continue;
            }
            for (float f : t.data()) {
                buf.putShort(dtype == DType.F16 ? floatToHalf(f) : floatToBf16(f));
            }
        }
        return buf.array();
    }

    public static void write(Map<String, HostTensor> tensors, Path file) {
        try {
            Files.write(file, write(tensors));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** IEEE 754 binary16 to float32 (exact; subnormals, infinities and NaN included). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float32 to binary16, round to nearest even, overflow to infinity. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** float32 to bfloat16, round to nearest even. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }
}
