package io.loladeft.finetune.train;

import java.util.List;

/**
 * What one device returns from a round.
 *
 * @param updatedBlocks  safetensors bytes holding exactly the device's assigned blocks and their
 *                       optimizer state
 * @param layers         the layers (blocks) it trained
 * @param computeSeconds wall seconds of its local iterations (forward, backward, update)
 * @param peakRssBytes   peak resident memory of the process during those iterations
 * @param losses         training loss of each local iteration
 * @param uploadBytes    the blocks' parameters in float32: what the device uploads. The optimizer state
 *                       stays where the block is trained and moves only with the block (a new plan)
 */
public record RoundResult(
        byte[] updatedBlocks,
        List<Integer> layers,
        double computeSeconds,
        long peakRssBytes,
        List<Double> losses,
        long uploadBytes) {}
