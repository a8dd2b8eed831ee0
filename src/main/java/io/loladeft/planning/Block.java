package io.loladeft.planning;

/**
 * One parameter block: trainable parameters attached at an encoder layer.
 *
 * @param layer  the layer it belongs to, 1..L, 1 next to the input
 * @param params trainable parameters {@code P_n}
 */
public record Block(int layer, long params) {

    /** Layers the backward pass crosses to reach this block: {@code L - layer + 1} (1 next to the head). */
    public int depth(int layers) {
        return layers - layer + 1;
    }
}
