package io.loladeft.jobs;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The input of the round a worker last worked on, decoded, with the blocks its own items of that round trained: one
 * worker often runs several items of a round, then merges it and goes on with the next round from the merged state,
 * reading and decoding nothing. Where it does not hold a round, it builds the input from what it holds and what the
 * store has. Used from the worker's training thread; {@link #itemBlocks} also from its store thread, which merges.
 */
final class RoundInputs {

    private final JobStore store;
    private volatile Hand hand;

    RoundInputs(JobStore store) {
        this.store = store;
    }

    /** The round input in hand, or null. */
    Hand current() {
        return hand;
    }

    /** This worker merged {@code round} of {@code job} into {@code state}: the next round's input (none after the last). */
    void merged(UUID job, int round, int rounds, Map<String, HostTensor> state) {
        hand = round < rounds ? new Hand(job, round + 1, state, new ConcurrentHashMap<>()) : null;
    }

    /**
     * A round's input in hand, decoded, and the blocks this worker's completed items of the round
     * trained, by device: the merge and the next round's input take them from here instead of
     * reading them back.
     */
    record Hand(UUID job, int round, Map<String, HostTensor> state, Map<String, Map<String, HostTensor>> produced) {}

    /**
     * The state a round starts from: round 1 from the model's seeded blocks; a later round is the union
     * of the previous round's items' blocks: the merged state in hand when this worker merged that
     * round, else built from the previous input in hand and the items' blocks it lacks, else (a worker
     * that just joined, or that redoes an item) from the stored items alone. Empty when the round is
     * already merged (the merge drops its input).
     */
    Optional<Hand> input(UUID job, int round, JobSettings spec, Backbones.Backbone backbone) {
        Hand h = hand;
        if (h != null && h.job().equals(job) && h.round() == round) {
            return Optional.of(h);
        }
        Map<String, HostTensor> initial = backbone.initialBlocks(Backbones.optimizer(spec));
        Optional<Map<String, HostTensor>> state;
        if (round == 1) {
            state = Optional.of(initial);
        } else if (h != null && h.job().equals(job) && h.round() == round - 1) {
            state = following(h, spec);
        } else {
            state = store.roundInput(job, round)
                    .map(parts -> RoundMerge.next(
                            initial,
                            parts.stream()
                                    .map(p -> Safetensors.read(p, "round " + round + "'s input"))
                                    .toList()));
        }
        Optional<Hand> in = state.map(s -> new Hand(job, round, s, new ConcurrentHashMap<>()));
        in.ifPresent(x -> hand = x);
        return in;
    }

    /** The round after {@code h}'s, merged elsewhere: {@code h}'s state with its items' blocks; empty if dropped. */
    private Optional<Map<String, HostTensor>> following(Hand h, JobSettings spec) {
        // The devices of h's round: its schedule's, when re-planning gave it its own.
        JobSettings round =
                JobStore.roundSpec(spec, store.schedule(h.job(), h.round()).orElse(null));
        List<String> devices = round.fused()
                ? List.of(WorkQueue.ALL_DEVICES)
                : round.devices().stream().map(JobSettings.DeviceRun::name).toList();
        Map<String, Map<String, HostTensor>> blocks = itemBlocks(h, devices);
        if (blocks.size() < devices.size()) {
            return Optional.empty();
        }
        return Optional.of(
                RoundMerge.next(h.state(), devices.stream().map(blocks::get).toList()));
    }

    /**
     * The blocks that these devices' items of {@code h}'s round trained, by device: this worker's own
     * from the hand, the others' read and decoded; a device whose blocks are in neither (the round was
     * merged and its items dropped) is left out.
     */
    Map<String, Map<String, HostTensor>> itemBlocks(Hand h, List<String> devices) {
        Map<String, byte[]> read = store.itemBlocks(
                h.job(),
                h.round(),
                devices.stream().filter(d -> !h.produced().containsKey(d)).toList());
        Map<String, Map<String, HostTensor>> out = new HashMap<>();
        for (String d : devices) {
            Map<String, HostTensor> own = h.produced().get(d);
            byte[] stored = read.get(d);
            if (own != null || stored != null) {
                out.put(
                        d,
                        own != null
                                ? own
                                : Safetensors.read(stored, "device " + d + "'s blocks of round " + h.round()));
            }
        }
        return out;
    }
}
