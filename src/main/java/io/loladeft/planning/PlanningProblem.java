package io.loladeft.planning;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the planner needs: the fleet, the model and its blocks, training settings and the uplink.
 *
 * @param devices            the edge devices (names unique)
 * @param model              the model being fine-tuned
 * @param blocks             the parameter blocks to allocate (see {@link #oneBlockPerLayer(ModelSpec)})
 * @param training           batch, sequence length, local iterations, rounds, bits per parameter
 * @param bandwidthHz        total uplink bandwidth {@code B}, Hz
 * @param noisePsdDbmPerHz   noise power spectral density, dBm/Hz (-174 is thermal noise at 290 K)
 * @param maxBlocksPerDevice the most blocks one device may train in a round (1 is the paper's setting)
 * @param seed               seed of the {@link Algorithm#RANDOM} baseline
 */
public record PlanningProblem(
        List<Device> devices,
        ModelSpec model,
        List<Block> blocks,
        Training training,
        double bandwidthHz,
        double noisePsdDbmPerHz,
        int maxBlocksPerDevice,
        long seed) {

    public static final double DEFAULT_NOISE_PSD_DBM_PER_HZ = -174.0;

    public PlanningProblem {
        devices = devices == null ? null : List.copyOf(devices);
        blocks = blocks == null ? null : List.copyOf(blocks);
    }

    /**
     * The model's blocks, the one list planner and trainer share: one block per encoder layer of the model's kind and
     * size, then the task head's block at {@link ModelSpec#headLayer()}.
     */
    public static List<Block> oneBlockPerLayer(ModelSpec model) {
        List<Block> out = new ArrayList<>(model.headLayer());
        for (int layer = 1; layer <= model.headLayer(); layer++) {
            out.add(new Block(layer, model.blockParams(layer)));
        }
        return List.copyOf(out);
    }

    /** A problem with one block per layer and the head, default training, -174 dBm/Hz noise, one block per device, seed 0. */
    public static PlanningProblem of(List<Device> devices, ModelSpec model, double bandwidthHz) {
        return new PlanningProblem(
                devices,
                model,
                oneBlockPerLayer(model),
                Training.defaults(),
                bandwidthHz,
                DEFAULT_NOISE_PSD_DBM_PER_HZ,
                1,
                0L);
    }

    public PlanningProblem withDevices(List<Device> d) {
        return new PlanningProblem(d, model, blocks, training, bandwidthHz, noisePsdDbmPerHz, maxBlocksPerDevice, seed);
    }

    public PlanningProblem withBlocks(List<Block> b) {
        return new PlanningProblem(
                devices, model, b, training, bandwidthHz, noisePsdDbmPerHz, maxBlocksPerDevice, seed);
    }

    public PlanningProblem withBandwidthHz(double hz) {
        return new PlanningProblem(devices, model, blocks, training, hz, noisePsdDbmPerHz, maxBlocksPerDevice, seed);
    }

    public PlanningProblem withMaxBlocksPerDevice(int m) {
        return new PlanningProblem(devices, model, blocks, training, bandwidthHz, noisePsdDbmPerHz, m, seed);
    }

    public PlanningProblem withTraining(Training t) {
        return new PlanningProblem(devices, model, blocks, t, bandwidthHz, noisePsdDbmPerHz, maxBlocksPerDevice, seed);
    }

    public PlanningProblem withSeed(long s) {
        return new PlanningProblem(
                devices, model, blocks, training, bandwidthHz, noisePsdDbmPerHz, maxBlocksPerDevice, s);
    }
}
