package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.plans.PlanRequest;
import io.loladeft.plans.PlanService;
import io.loladeft.registry.Architecture;
import io.loladeft.registry.BlockConfig;
import io.loladeft.registry.ModelRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue against a real PostgreSQL, with no worker running: claims skip locked and leased
 * items, an expired lease makes an item claimable again and fences the old holder, and however
 * completions of a round race, the merge runs exactly once.
 */
@SpringBootTest(properties = "loladeft.role=api")
class WorkQueueTest {

    static final Duration LEASE = Duration.ofSeconds(30);

    @Autowired
    WorkQueue queue;

    @Autowired
    JobStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlanService plans;

    @Autowired
    TransactionTemplate tx;

    @BeforeEach
    void onlyOurJobsAreActive() {
        // The test database is shared; jobs other tests left active would compete for claims.
        jdbc.sql("UPDATE job SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'RUNNING')")
                .update();
    }

    /** A real stored plan (the plans table is shared: a fake row would break other tests' listings). */
    UUID plan(int devices) {
        List<PlanRequest.InlineDevice> fleet = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            fleet.add(new PlanRequest.InlineDevice("dev-" + d, 1e12, 8e9, 20.0, -90.0, null, null, null));
        }
        ModelRequest model = new ModelRequest(
                null,
                new Architecture(devices, 32, 4, 64, 100, 66),
                new BlockConfig(BlockConfig.Kind.LORA, 4, 8.0, null),
                null,
                null,
                null,
                null,
                null);
        // two per device: the task head is a block of its own (layer L+1)
        return plans.create(new PlanRequest(
                        null, 1e7, null, fleet, null, null, model, null, null, 2, null, null, null, null))
                .id();
    }

    UUID job(int devices, int rounds) {
        UUID planId = plan(devices);
        List<JobSettings.DeviceRun> runs = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            runs.add(new JobSettings.DeviceRun("dev-" + d, List.of(d + 1), 1e6, 1e12, 20, -90, 0.5, 1e9));
        }
        JobSettings spec = new JobSettings(
                "SST2",
                "/data",
                "/tok",
                null,
                null,
                new JobSettings.Shape(devices, 32, 4, 64, 100, 66),
                new BlockConfig(BlockConfig.Kind.LORA, 4, 8.0, 0),
                rounds,
                new JobSettings.Optimizer(JobSettings.Optimizer.Kind.SGD, 0.01, 0, 0, 0),
                4,
                16,
                1,
                JobSettings.Execution.PER_DEVICE,
                1e9 * devices,
                0,
                1,
                -174,
                0.5,
                runs,
                null,
                null,
                null,
                0);
        UUID id = UUID.randomUUID();
        store.insert(new JobStore.JobRow(
                id,
                "tester",
                null,
                "h",
                planId,
                "SST2",
                spec,
                JobState.QUEUED,
                1,
                rounds,
                null,
                null,
                Instant.now(),
                null,
                null,
                null,
                null));
        return id;
    }

    /** A merger that counts its calls and returns recognisable bytes. */
    static final class CountingMerger implements WorkQueue.Merger {
        final AtomicInteger calls = new AtomicInteger();
        final List<Integer> itemsSeen = new ArrayList<>();

        @Override
        public synchronized WorkQueue.Merged merge(JobStore.JobRow job, List<WorkQueue.Done> items) {
            calls.incrementAndGet();
            itemsSeen.add(items.size());
            JobView.RoundMetrics m =
                    new JobView.RoundMetrics(job.round(), 1.0, null, List.of(), 1, 1, 0, Instant.now(), null, null);
            JobView.Result r =
                    job.round() == job.rounds() ? new JobView.Result(Map.of("accuracy", 0.5), "x", 1, "y") : null;
            return new WorkQueue.Merged(
                    Map.of(), false, m, r, r == null ? null : new byte[] {(byte) job.round()}, 0, null);
        }
    }

    @Test
    void claimsSkipHeldItemsAndStartTheJob() {
        UUID id = job(2, 1);
        WorkQueue.Item a = queue.claim("w1", LEASE).orElseThrow();
        WorkQueue.Item b = queue.claim("w2", LEASE).orElseThrow();
        assertThat(a.jobId()).isEqualTo(id);
        assertThat(b.jobId()).isEqualTo(id);
        assertThat(a.device()).isNotEqualTo(b.device());
        assertThat(a.attempts()).isEqualTo(1);
        assertThat(queue.claim("w3", LEASE)).isEmpty();
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(queue.heartbeat(a, LEASE)).isTrue();
    }

    @Test
    void anExpiredLeaseMakesTheItemClaimableAndFencesTheOldHolder() {
        UUID id = job(1, 1);
        WorkQueue.Item first = queue.claim("dead-worker", Duration.ofMillis(1)).orElseThrow();
        jdbc.sql("UPDATE work_item SET lease_until = now() - interval '1 second' WHERE id = ?")
                .param(first.id())
                .update();
        WorkQueue.Item again = queue.claim("live-worker", LEASE).orElseThrow();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.attempts()).isEqualTo(2);
        assertThat(again.claimToken()).isNotEqualTo(first.claimToken());

        CountingMerger merger = new CountingMerger();
        assertThat(queue.heartbeat(first, LEASE)).isFalse();
        assertThat(queue.complete(first, new byte[] {1}, "{}", merger).completion())
                .isEqualTo(WorkQueue.Completion.LOST);
        assertThat(queue.complete(again, new byte[] {1}, "{}", merger).completion())
                .isEqualTo(WorkQueue.Completion.MERGED);
        assertThat(merger.calls).hasValue(1);
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(store.resultBlocks(id)).contains(new byte[] {1});
    }

    @Test
    void aHandedBackItemIsClaimableAtOnceAndFencesTheDepartingWorker() {
        UUID id = job(1, 1);
        WorkQueue.Item leaving = queue.claim("leaving-worker", LEASE).orElseThrow();
        assertThat(queue.claim("other", LEASE)).as("held under a 30 s lease").isEmpty();
        assertThat(queue.release(leaving)).isTrue();
        assertThat(queue.release(leaving))
                .as("a second hand-back has nothing to give")
                .isFalse();

        WorkQueue.Item taken = queue.claim("other", LEASE).orElseThrow();
        assertThat(taken.id()).isEqualTo(leaving.id());
        assertThat(taken.attempts()).isEqualTo(2);
        CountingMerger merger = new CountingMerger();
        assertThat(queue.heartbeat(leaving, LEASE)).isFalse();
        assertThat(queue.complete(leaving, new byte[] {9}, "{}", merger).completion())
                .isEqualTo(WorkQueue.Completion.LOST);
        assertThat(queue.release(leaving))
                .as("the departing worker cannot give back what is no longer its")
                .isFalse();
        assertThat(queue.complete(taken, new byte[] {1}, "{}", merger).completion())
                .isEqualTo(WorkQueue.Completion.MERGED);
        assertThat(store.resultBlocks(id)).contains(new byte[] {1});
    }

    @Test
    void concurrentCompletionsMergeEachRoundExactlyOnce() throws Exception {
        int devices = 6;
        int rounds = 3;
        UUID id = job(devices, rounds);
        CountingMerger merger = new CountingMerger();
        ExecutorService pool = Executors.newFixedThreadPool(devices);
        try {
            for (int r = 1; r <= rounds; r++) {
                int round = r;
                if (r > 1) {
                    // The round's input is the previous round's items' blocks; the merged round's is dropped.
                    assertThat(store.checkpoint(id, r)).hasValueSatisfying(c -> {
                        assertThat(c.round()).isEqualTo(round);
                        assertThat(c.parts())
                                .hasSize(devices)
                                .allSatisfy(p -> assertThat(p).containsExactly((byte) (round - 1)));
                    });
                    assertThat(store.checkpoint(id, r - 1))
                            .as("round %d's input", r - 1)
                            .isEmpty();
                }
                List<WorkQueue.Item> items = new ArrayList<>();
                for (int d = 0; d < devices; d++) {
                    items.add(queue.claim("w" + d, LEASE).orElseThrow());
                }
                assertThat(items).allMatch(i -> i.jobId().equals(id));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<WorkQueue.Completion>> done = new ArrayList<>();
                for (WorkQueue.Item item : items) {
                    done.add(pool.submit(() -> {
                        go.await();
                        return queue.complete(item, new byte[] {(byte) item.round()}, "{}", merger)
                                .completion();
                    }));
                }
                go.countDown();
                List<WorkQueue.Completion> outcomes = new ArrayList<>();
                for (Future<WorkQueue.Completion> f : done) {
                    outcomes.add(f.get());
                }
                assertThat(outcomes)
                        .filteredOn(c -> c == WorkQueue.Completion.MERGED)
                        .hasSize(1);
                assertThat(outcomes)
                        .filteredOn(c -> c == WorkQueue.Completion.STORED)
                        .hasSize(devices - 1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(merger.calls).hasValue(rounds);
        assertThat(merger.itemsSeen).containsOnly(devices);
        JobStore.JobRow job = store.find(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(store.rounds(id)).extracting(JobView.RoundMetrics::round).containsExactly(1, 2, 3);
        assertThat(jdbc.sql("SELECT count(*) FROM job_round WHERE job_id = ? AND global_blocks IS NOT NULL")
                        .param(id)
                        .query(Integer.class)
                        .single())
                .as("a finished job keeps its result, no round states")
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ? AND updated_blocks IS NOT NULL")
                        .param(id)
                        .query(Integer.class)
                        .single())
                .as("nor items' blocks")
                .isZero();
        assertThat(store.resultBlocks(id)).contains(new byte[] {(byte) rounds});
        assertThat(queue.claim("late", LEASE)).isEmpty();
    }

    /**
     * Checkpoints in the store: items that keep their blocks in hand (null) leave the last fully stored
     * round's blocks where they are, so a later round's input is rebuilt from them; a round whose items
     * all stored theirs becomes the checkpoint and drops what came before; the last round drops everything.
     */
    @Test
    void roundsKeptInHandLeaveTheLastStoredRoundAsTheCheckpoint() {
        int devices = 2;
        UUID id = job(devices, 4);
        CountingMerger merger = new CountingMerger();
        for (int r = 1; r <= 4; r++) {
            boolean stored = r == 1 || r == 3 || r == 4;
            for (int d = 0; d < devices; d++) {
                WorkQueue.Item item = queue.claim("w", LEASE).orElseThrow();
                queue.complete(item, stored ? new byte[] {(byte) r} : null, "{}", merger);
            }
            int round = r;
            switch (r) {
                case 1, 3 ->
                    assertThat(store.checkpoint(id, r + 1)).hasValueSatisfying(c -> {
                        assertThat(c.round()).as("after round %d", round).isEqualTo(round + 1);
                        assertThat(c.parts()).allSatisfy(p -> assertThat(p).containsExactly((byte) round));
                    });
                case 2 -> {
                    assertThat(store.checkpoint(id, 3))
                            .as("round 3's input: round 1's blocks, then round 2 trained again")
                            .hasValueSatisfying(c -> {
                                assertThat(c.round()).isEqualTo(2);
                                assertThat(c.parts())
                                        .allSatisfy(p -> assertThat(p).containsExactly((byte) 1));
                            });
                }
                default -> {}
            }
            long kept = jdbc.sql("SELECT count(*) FROM work_item WHERE job_id = ? AND updated_blocks IS NOT NULL")
                    .param(id)
                    .query(Long.class)
                    .single();
            // After round 1: its own; after 2: still round 1's; after 3: round 3's only; after the last: none.
            assertThat(kept).as("items holding blocks after round %d", r).isEqualTo(r == 4 ? 0 : devices);
        }
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void endingAJobWhileAWorkerCompletesAnItemDoesNotDeadlock() throws Exception {
        UUID id = job(2, 3);
        WorkQueue.Item item = queue.claim("w", LEASE).orElseThrow();
        CountDownLatch itemLocked = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // What complete() does: lock the item row, then (a moment later) the job's row.
            Future<?> completing = pool.submit(() -> tx.executeWithoutResult(s -> {
                jdbc.sql("UPDATE work_item SET state = state WHERE id = ?")
                        .param(item.id())
                        .update();
                itemLocked.countDown();
                sleep(700);
                jdbc.sql("SELECT id FROM job WHERE id = ? FOR UPDATE")
                        .param(id)
                        .query(UUID.class)
                        .single();
            }));
            itemLocked.await();
            Future<Boolean> cancelling = pool.submit(() -> store.end(id, JobState.CANCELLED, "Cancelled", "test"));
            completing.get();
            assertThat(cancelling.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void endingAJobWithdrawsItsItems() {
        UUID id = job(2, 5);
        WorkQueue.Item held = queue.claim("w", LEASE).orElseThrow();
        assertThat(store.end(id, JobState.CANCELLED, "Cancelled", "test")).isTrue();
        assertThat(store.end(id, JobState.FAILED, "Again", "test")).isFalse();
        assertThat(queue.heartbeat(held, LEASE)).isFalse();
        assertThat(queue.complete(held, new byte[] {1}, "{}", new CountingMerger())
                        .completion())
                .isEqualTo(WorkQueue.Completion.LOST);
        assertThat(queue.claim("w", LEASE)).isEmpty();
        Optional<JobStore.JobRow> job = store.find(id);
        assertThat(job.orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.events(id, 0, 100))
                .extracting(JobStore.Event::type)
                .containsExactly("state", "state", "state");
    }
}
