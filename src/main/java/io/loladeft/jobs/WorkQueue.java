package io.loladeft.jobs;

import io.loladeft.finetune.model.HostTensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;

/**
 * The work queue in PostgreSQL. An item is claimed with {@code FOR UPDATE SKIP LOCKED} and held by
 * a lease that heartbeats renew; an item whose lease expired is claimable again, and a fresh
 * {@code claim_token} fences the worker that lost it. Completing an item and, when it is the last
 * of its round, the merge happen in one transaction that holds the job's row lock: completers of
 * one round are serialised on that lock, each sees the others' committed items, and exactly one of
 * them finds the round complete and merges it.
 */
@Component
class WorkQueue {

    private final JdbcClient jdbc;
    private final JobStore store;
    private final TransactionTemplate tx;

    WorkQueue(JdbcClient jdbc, JobStore store, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.store = store;
        this.tx = tx;
    }

    /** A claimed item. {@code attempts} counts this claim. */
    record Item(long id, UUID jobId, int round, String device, List<Integer> layers, UUID claimToken, int attempts) {}

    /** The device column of a fused round's one item, which trains every device's blocks. */
    static final String ALL_DEVICES = "*";

    /**
     * A completed item of a round, as the merge sees it: its measurements, not its blocks (the merger
     * holds the ones it trained and reads the others', {@link JobStore#itemBlocks}).
     */
    record Done(String device, String result, int attempts, String worker) {}

    /**
     * What the merge of a round produced: the next global state, decoded, for the merging worker to
     * keep as the next round's input (nothing stores it: the next round's input is the union of this
     * round's items; null when a block was kept in hand by another worker, see {@link JobStore#checkpoint});
     * whether the merger trained the round's every item itself; the round's metrics; after the last round
     * the result and its blocks, the one state stored; and how long the merger spent evaluating (its worker
     * times that phase apart).
     */
    record Merged(
            Map<String, HostTensor> state,
            boolean heldRound,
            JobView.RoundMetrics metrics,
            JobView.Result result,
            byte[] resultBlocks,
            long evaluationNanos,
            RoundSchedule nextSchedule) {}

    /**
     * Merges a complete round; called exactly once per round, inside the completing transaction. The
     * merger brings the round's input state itself: the completing worker has just trained on it.
     */
    @FunctionalInterface
    interface Merger {
        Merged merge(JobStore.JobRow job, List<Done> items);
    }

    enum Completion {
        /** The lease was lost (expired and reclaimed, or the job ended): the result was dropped. */
        LOST,
        /** Stored; other items of the round are still open. */
        STORED,
        /** Stored, and this completion merged the round. */
        MERGED
    }

    /** How a completion went, and for {@link Completion#MERGED} what the merge produced (else null). */
    record Completed(Completion completion, Merged merged) {}

    Optional<Item> claim(String worker, Duration lease) {
        return tx.execute(s -> {
            Optional<Item> item = jdbc.sql("""
                    UPDATE work_item SET state = %2$s, worker = ?, claim_token = ?, attempts = attempts + 1,
                        lease_until = now() + make_interval(secs => ?)
                    WHERE id = (SELECT w.id FROM work_item w JOIN job j ON j.id = w.job_id
                                WHERE j.state IN %3$s
                                  AND (w.state = %1$s OR (w.state = %2$s AND w.lease_until < now()))
                                ORDER BY w.id LIMIT 1 FOR UPDATE OF w SKIP LOCKED)
                    RETURNING id, job_id, round, device, layers, claim_token, attempts""".formatted(
                                    Sql.is(WorkItemState.QUEUED), Sql.is(WorkItemState.CLAIMED), JobStore.ACTIVE_JOB))
                    .params(worker, UUID.randomUUID(), lease.toMillis() / 1000.0)
                    .query((rs, n) -> new Item(
                            rs.getLong("id"),
                            rs.getObject("job_id", UUID.class),
                            rs.getInt("round"),
                            rs.getString("device"),
                            store.read(rs.getString("layers"), new TypeReference<List<Integer>>() {}),
                            rs.getObject("claim_token", UUID.class),
                            rs.getInt("attempts")))
                    .optional();
            item.ifPresent(i -> {
                int started = jdbc.sql("UPDATE job SET state = " + Sql.is(JobState.RUNNING)
                                + ", started_at = now() WHERE id = ? AND state = " + Sql.is(JobState.QUEUED))
                        .param(i.jobId())
                        .update();
                if (started == 1) {
                    store.event(i.jobId(), "state", Map.of("state", JobState.RUNNING.name(), "round", i.round()));
                }
            });
            return item;
        });
    }

    /** Renews the lease; false when the item is no longer this worker's or its job has ended. */
    boolean heartbeat(Item item, Duration lease) {
        return jdbc.sql("""
                UPDATE work_item w SET lease_until = now() + make_interval(secs => ?)
                FROM job j WHERE w.id = ? AND w.claim_token = ? AND w.state = %s
                  AND j.id = w.job_id AND j.state = %s""".formatted(Sql.is(WorkItemState.CLAIMED), Sql.is(JobState.RUNNING)))
                        .params(lease.toMillis() / 1000.0, item.id(), item.claimToken())
                        .update()
                == 1;
    }

    /**
     * Hands a claimed item back at once (its worker is shutting down and will not finish it): it is
     * claimable again without waiting out its lease, and the old claim is fenced, so a late
     * completion by the departing worker is {@link Completion#LOST}. False if the item was no longer
     * this claim's (already completed, or reclaimed).
     */
    boolean release(Item item) {
        return jdbc.sql("""
                UPDATE work_item SET state = %s, claim_token = NULL, lease_until = NULL
                WHERE id = ? AND claim_token = ? AND state = %s""".formatted(Sql.is(WorkItemState.QUEUED), Sql.is(WorkItemState.CLAIMED)))
                        .params(item.id(), item.claimToken())
                        .update()
                == 1;
    }

    /**
     * Stores an item's result and, if that completes its round, merges the round (see the class
     * comment). {@code updatedBlocks} null: the item's worker keeps its blocks in hand until a
     * checkpoint. A merger that throws rolls the whole completion back.
     */
    Completed complete(Item item, byte[] updatedBlocks, String resultJson, Merger merger) {
        return tx.execute(s -> {
            int stored = jdbc.sql("""
                    UPDATE work_item SET state = %s, updated_blocks = ?, result = ?::jsonb, lease_until = NULL
                    WHERE id = ? AND claim_token = ? AND state = %s""".formatted(Sql.is(WorkItemState.DONE), Sql.is(WorkItemState.CLAIMED)))
                    .params(updatedBlocks, resultJson, item.id(), item.claimToken())
                    .update();
            if (stored == 0) {
                return new Completed(Completion.LOST, null);
            }
            JobStore.JobRow job = jdbc.sql("SELECT id FROM job WHERE id = ? FOR UPDATE")
                    .param(item.jobId())
                    .query(UUID.class)
                    .optional()
                    .flatMap(store::find)
                    .orElseThrow();
            if (job.state() != JobState.RUNNING || job.round() != item.round()) {
                return new Completed(Completion.STORED, null);
            }
            int open = jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ? AND round = ? AND state <> "
                            + Sql.is(WorkItemState.DONE))
                    .params(job.id(), job.round())
                    .query(Integer.class)
                    .single();
            if (open > 0) {
                return new Completed(Completion.STORED, null);
            }
            List<Done> items = jdbc.sql("""
                    SELECT device, result, attempts, worker FROM work_item
                    WHERE job_id = ? AND round = ? ORDER BY device""")
                    .params(job.id(), job.round())
                    .query((rs, n) -> new Done(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)))
                    .list();
            Merged merged = merger.merge(job, items);
            advance(job, merged);
            return new Completed(Completion.MERGED, merged);
        });
    }

    /** Records the merged round, then starts the next one or finishes the job. */
    private void advance(JobStore.JobRow job, Merged merged) {
        int round = job.round();
        // Nothing merged is written: this round's items' blocks are the next round's input (their
        // union). Once a round's items all stored theirs, the blocks of the rounds before it are dropped:
        // a job keeps the blocks since its last such round (the checkpoint that recovery trains forward
        // from, JobStore.checkpoint), not a state per round (a state of roberta-base's layer blocks is
        // 340 MB); after the last round, the result only. (global_blocks: a round started by an earlier version.)
        jdbc.sql("UPDATE job_round SET metrics = ?::jsonb, completed_at = clock_timestamp(), global_blocks = NULL"
                        + " WHERE job_id = ? AND round = ?")
                .params(store.write(merged.metrics()), job.id(), round)
                .update();
        jdbc.sql("""
                        UPDATE work_item SET updated_blocks = NULL WHERE job_id = ? AND round < ?
                          AND updated_blocks IS NOT NULL AND NOT EXISTS (SELECT 1 FROM work_item x
                            WHERE x.job_id = ? AND x.round = ? AND x.updated_blocks IS NULL)""")
                .params(job.id(), round < job.rounds() ? round : round + 1, job.id(), round)
                .update();
        if (round < job.rounds()) {
            // Conditional on the round number: a second merge of the same round cannot advance anything.
            int moved = jdbc.sql("UPDATE job SET round = round + 1 WHERE id = ? AND round = ? AND state = "
                            + Sql.is(JobState.RUNNING))
                    .params(job.id(), round)
                    .update();
            if (moved != 1) {
                throw new IllegalStateException("round " + round + " of job " + job.id() + " was merged twice");
            }
            store.startRound(job.id(), round + 1, job.spec(), merged.nextSchedule());
            store.event(job.id(), "progress", progress(round, job.rounds(), merged.metrics()));
        } else {
            int done = jdbc.sql("""
                    UPDATE job SET state = %s, reason = 'Completed', finished_at = now(), result = ?::jsonb,
                        result_blocks = ? WHERE id = ? AND round = ? AND state = %s""".formatted(Sql.is(JobState.SUCCEEDED), Sql.is(JobState.RUNNING)))
                    .params(store.write(merged.result()), merged.resultBlocks(), job.id(), round)
                    .update();
            if (done != 1) {
                throw new IllegalStateException("job " + job.id() + " finished twice");
            }
            store.event(job.id(), "progress", progress(round, job.rounds(), merged.metrics()));
            store.event(
                    job.id(),
                    "state",
                    Map.of(
                            "state",
                            JobState.SUCCEEDED.name(),
                            "metrics",
                            merged.result().metrics()));
        }
    }

    private static Map<String, Object> progress(int round, int rounds, JobView.RoundMetrics m) {
        return m.devMetrics() == null
                ? Map.of("round", round, "rounds", rounds, "trainingLoss", m.trainingLoss())
                : Map.of(
                        "round",
                        round,
                        "rounds",
                        rounds,
                        "trainingLoss",
                        m.trainingLoss(),
                        "devMetrics",
                        m.devMetrics());
    }
}
