package io.loladeft.planning;

/**
 * One parameter block: trainable parameters attached at an encoder layer, or the task head.
 *
 * @param layer  the layer it belongs to, 1..L, 1 next to the input; {@code L + 1} is the task head
 *               ({@link ModelSpec#headLayer()}, {@link BlockKind#HEAD})
 * @param params trainable parameters {@code P_n}
 */
public record Block(int layer, long params) {

    /**
     * Layers the backward pass crosses to reach this block: {@code L - layer + 1} (1 for the top layer's block, 0 for
     * the head).
     */
    public int depth(int layers) {
        return layers - layer + 1;
    }
}
