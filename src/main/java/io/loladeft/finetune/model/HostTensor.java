package io.loladeft.finetune.model;

import java.util.Arrays;

/** A float32 tensor on the Java heap: what crosses between a worker and the merge. */
public record HostTensor(long[] shape, float[] data) {

    public HostTensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " has " + n + " elements but data has " + data.length);
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bitwise equality of shape and values (NaN payloads and signed zeros included). */
    public boolean bitEquals(HostTensor other) {
        if (!Arrays.equals(shape, other.shape) || data.length != other.data.length) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(other.data[i])) {
                return false;
            }
        }
        return true;
    }
}
