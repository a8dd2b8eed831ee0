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
 * store has, training the rounds since the last checkpoint again where the store lacks blocks (docs/jobs.md,
 * "Checkpoints"). Used from the worker's training thread; {@link #itemBlocks} also from its store thread, which merges.
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

    /**
     * This worker merged {@code round} of {@code job} into {@code state}: the next round's input (none after the last,
     * or when the merge lacked a block and made no state); {@code heldRound} when it trained the round's every item.
     */
    void merged(UUID job, int round, int rounds, Map<String, HostTensor> state, boolean heldRound) {
        hand = round < rounds && state != null
                ? new Hand(job, round + 1, state, new ConcurrentHashMap<>(), heldRound)
                : null;
    }

    /**
     * A round's input in hand, decoded, and the blocks this worker's completed items of the round
     * trained, by device: the merge and the next round's input take them from here instead of
     * reading them back. {@code heldPrevious}: this worker trained every item of the previous round
     * and merged it itself, so, as far as it can tell, it is the only worker on the job, and its
     * items of this round need not store their blocks unless the round is a checkpoint.
     */
    record Hand(
            UUID job,
            int round,
            Map<String, HostTensor> state,
            Map<String, Map<String, HostTensor>> produced,
            boolean heldPrevious) {}

    /**
     * Trains a round's every item again from its input, as the round ran (its schedule, seeds and
     * learning rate), and returns the next round's input: how a worker rebuilds a round's input from
     * a checkpoint, bit for bit.
     */
    @FunctionalInterface
    interface Replay {
        Map<String, HostTensor> round(int round, Map<String, HostTensor> input);
    }

    /**
     * The state a round starts from: round 1 from the model's seeded blocks; a later round is the union
     * of the previous round's items' blocks: the merged state in hand when this worker merged that
     * round, else built from the previous input in hand and the items' blocks it lacks, else from the
     * stored items alone; where the previous round's blocks were not all stored (a worker that held its
     * rounds keeps them in hand between checkpoints), from the last round whose items all were, training
     * the rounds since it again ({@code replay}). Empty when that checkpoint is gone: only a later merge
     * drops it, so the round was merged without this worker.
     */
    Optional<Hand> input(UUID job, int round, JobSettings spec, Backbones.Backbone backbone, Replay replay) {
        Hand h = hand;
        if (h != null && h.job().equals(job) && h.round() == round) {
            return Optional.of(h);
        }
        Map<String, HostTensor> initial = backbone.initialBlocks(Backbones.optimizer(spec));
        Optional<Map<String, HostTensor>> state = Optional.empty();
        if (round == 1) {
            state = Optional.of(initial);
        } else if (h != null && h.job().equals(job) && h.round() == round - 1) {
            state = following(h, spec);
        }
        if (state.isEmpty()) {
            state = fromCheckpoint(job, round, initial, replay);
        }
        Optional<Hand> in = state.map(s -> new Hand(job, round, s, new ConcurrentHashMap<>(), false));
        in.ifPresent(x -> hand = x);
        return in;
    }

    /**
     * The input of {@code round} from the store: the union of the blocks of the last round whose items all
     * stored theirs (none: the seeded blocks), then the rounds since it trained again; empty when those
     * blocks went between looking and reading.
     */
    private Optional<Map<String, HostTensor>> fromCheckpoint(
            UUID job, int round, Map<String, HostTensor> initial, Replay replay) {
        Optional<JobStore.Checkpoint> checkpoint = store.checkpoint(job, round);
        Map<String, HostTensor> state = initial;
        int next = 1;
        if (checkpoint.isPresent()) {
            List<byte[]> parts = checkpoint.get().parts();
            next = checkpoint.get().round();
            if (parts.isEmpty() || parts.contains(null)) {
                return Optional.empty();
            }
            String what = "round " + next + "'s input";
            state = RoundMerge.next(
                    initial, parts.stream().map(p -> Safetensors.read(p, what)).toList());
        }
        for (int q = next; q < round; q++) {
            state = replay.round(q, state);
        }
        return Optional.of(state);
    }

    /**
     * The round after {@code h}'s, merged elsewhere: {@code h}'s state with its items' blocks; empty if some are
     * in neither hand nor store.
     */
    private Optional<Map<String, HostTensor>> following(Hand h, JobSettings spec) {
        // The devices of h's round: its schedule's, when re-planning gave it its own.
        List<String> devices = store.roundSpec(h.job(), spec, h.round()).itemDevices();
        Map<String, Map<String, HostTensor>> blocks = itemBlocks(h, devices);
        if (blocks.size() < devices.size()) {
            return Optional.empty();
        }
        return Optional.of(
                RoundMerge.next(h.state(), devices.stream().map(blocks::get).toList()));
    }

    /**
     * The blocks that these devices' items of {@code h}'s round trained, by device: this worker's own
     * from the hand, the others' read and decoded; a device whose blocks are in neither (another worker
     * kept them in hand between checkpoints, or a later round's merge dropped them) is left out.
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
