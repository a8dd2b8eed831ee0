package io.loladeft.planning;

import java.util.List;

/**
 * What one involved device does in a round.
 *
 * @param device         device name
 * @param layers         layers of the blocks it trains, ascending; {@code L + 1} is the task head's block
 * @param head           whether it trains the task head (whether {@code layers} holds {@code L + 1})
 * @param bandwidthHz    its uplink bandwidth {@code B_k}
 * @param computeSeconds {@code T_cmp}
 * @param uploadSeconds  {@code T_com}
 * @param latencySeconds {@code T_cmp + T_com}
 * @param memoryBytes    peak memory it needs
 */
public record Assignment(
        String device,
        List<Integer> layers,
        boolean head,
        double bandwidthHz,
        double computeSeconds,
        double uploadSeconds,
        double latencySeconds,
        double memoryBytes) {

    public Assignment {
        layers = layers == null ? null : List.copyOf(layers);
    }
}
