package io.loladeft.jobs;

import java.util.List;

/**
 * What a job runs, fully resolved when it is submitted (absolute paths, the plan's devices and
 * assignment, every default filled in) and stored as JSON, so a worker needs nothing else.
 */
record JobSpec(
        String task,
        String dataDir,
        String tokenizerDir,
        String weightsDir,
        Shape model,
        Block block,
        int rounds,
        double learningRate,
        int batchSize,
        int seqLen,
        int localIterations,
        int evalEvery,
        long seed,
        double noisePsdDbmPerHz,
        double predictedRoundLatencySeconds,
        List<DeviceRun> devices) {

    /** The model's shape (the registry's architecture). Ignored for the shape when weightsDir is set. */
    record Shape(int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions) {}

    /** The block kind: lora (rank, alpha), adapter (bottleneck) or layer. */
    record Block(String kind, int rank, double alpha, int bottleneck) {}

    /** One involved device: its blocks and planned bandwidth, and what the emulation needs. */
    record DeviceRun(String name, List<Integer> layers, double bandwidthHz, double computeFlops, double txPowerDbm,
            double channelGainDb, double predictedLatencySeconds) {}

    DeviceRun device(String name) {
        return devices.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("job has no device " + name));
    }
}
