package io.loladeft.jobs;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.train.Merge;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The edge server's merge of a complete round, as a function of the round's input state and its
 * completed items: the next global block state (the devices' disjoint blocks written into the
 * input: as every block is trained every round, the union of the items' blocks, in the input's
 * order), the mean training loss, and each device's measured and emulated time. No I/O, no copies
 * of tensors: the next state shares the items' decoded tensors. The worker evaluates and keeps
 * what it returns.
 */
final class RoundMerge {

    private RoundMerge() {}

    /** A completed item with its result read back, in device order; {@code updatedBlocks} null when not at hand. */
    record Item(String device, Map<String, HostTensor> updatedBlocks, ItemResult result, int attempts, String worker) {}

    /** A device's part of an item: its compute seconds on the worker's host and the bytes it uploads. */
    record DeviceShare(JobSettings.DeviceRun run, double computeSeconds, long uploadBytes) {}

    /**
     * The merged round: its blocks (null when an item's were not at hand), the mean loss over devices and local
     * iterations, the devices' times.
     */
    record Outcome(
            Map<String, HostTensor> blocks,
            double trainingLoss,
            List<JobView.DeviceRound> devices,
            double emulatedRoundLatencySeconds) {}

    static Outcome of(JobSettings spec, Map<String, HostTensor> input, List<Item> items) {
        // An item whose blocks its worker kept in hand (between checkpoints) leaves the state unmade here.
        boolean all = items.stream().allMatch(i -> i.updatedBlocks() != null);
        Map<String, HostTensor> merged =
                all ? next(input, items.stream().map(Item::updatedBlocks).toList()) : null;
        double lossSum = 0;
        int lossN = 0;
        double emulatedRound = 0;
        List<JobView.DeviceRound> devices = new ArrayList<>();
        for (Item item : items) {
            ItemResult r = item.result();
            for (double l : r.losses()) {
                lossSum += l;
                lossN++;
            }
            for (DeviceShare share : shares(spec, item.device(), r)) {
                JobSettings.DeviceRun run = share.run();
                double compute = Emulation.computeSeconds(share.computeSeconds(), r.hostFlops(), run.computeFlops());
                // Blocks that moved to the device arrive over its link within the round, as the re-plan priced.
                double migration = Emulation.uploadSeconds(
                        run.migrationBytes(),
                        run.bandwidthHz(),
                        run.txPowerDbm(),
                        run.channelGainDb(),
                        spec.noisePsdDbmPerHz());
                double upload = migration
                        + Emulation.uploadSeconds(
                                share.uploadBytes(),
                                run.bandwidthHz(),
                                run.txPowerDbm(),
                                run.channelGainDb(),
                                spec.noisePsdDbmPerHz());
                devices.add(new JobView.DeviceRound(
                        run.name(),
                        share.computeSeconds(),
                        r.hostFlops(),
                        share.uploadBytes(),
                        compute,
                        upload,
                        compute + upload,
                        run.predictedLatencySeconds(),
                        item.attempts(),
                        item.worker(),
                        run.channelGainDb(),
                        migration));
                emulatedRound = Math.max(emulatedRound, compute + upload);
            }
        }
        return new Outcome(merged, lossSum / lossN, devices, emulatedRound);
    }

    /**
     * The state after a round: {@code previous} (a round's input, or the seeded state) with every
     * tensor replaced by the one the round's items trained; refused unless the items' blocks are
     * disjoint and cover every tensor, as each block is trained every round.
     */
    static Map<String, HostTensor> next(Map<String, HostTensor> previous, List<Map<String, HostTensor>> items) {
        return Merge.apply(previous, items, true);
    }

    /**
     * What each device did in an item. A device's own item is its own. A fused item measured one
     * step for all: every device's forward is the same pass, and their backward passes differ only in how
     * deep they go and which weight gradients they take, so each device is given the step's seconds in the
     * proportion of its FLOPs to the fused step's (the cost model's, docs/planning.md) and its own blocks'
     * bytes. The losses are the step's, the same for every device.
     */
    static List<DeviceShare> shares(JobSettings spec, String device, ItemResult r) {
        if (!spec.fused()) {
            return List.of(new DeviceShare(spec.device(device), r.computeSeconds(), r.uploadBytes()));
        }
        List<DeviceShare> shares = new ArrayList<>();
        for (JobSettings.DeviceRun run : spec.devices()) {
            double fraction = Math.min(1, run.iterationFlops() / spec.fusedIterationFlops());
            shares.add(new DeviceShare(
                    run, r.computeSeconds() * fraction, r.deviceUploadBytes().get(run.name())));
        }
        return shares;
    }
}
