package io.loladeft.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Jobs, their rounds and their events in PostgreSQL. Plain JDBC: rows are read whole, and the
 * queue needs row locks and {@code SKIP LOCKED}, which JPA would only get in the way of.
 */
@Repository
class JobStore {

    /** A job a worker may still work on. */
    static final String ACTIVE_JOB = Sql.in(JobState.QUEUED, JobState.RUNNING);
    /** An item not yet done: waiting, or held (perhaps on an expired lease). */
    static final String OPEN_ITEM = Sql.in(WorkItemState.QUEUED, WorkItemState.CLAIMED);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    /**
     * Reads a job's spec, a document this service wrote: a number that a spec of an earlier version lacks (a device's
     * {@code iterationFlops} before fused rounds, {@code migrationBytes} before re-planning) reads as 0, where the
     * mapper, strict for the API's sake, would refuse the job.
     */
    private final ObjectReader specs;

    JobStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.specs = json.readerFor(JobSettings.class).without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** A job row. {@code round} is the round in progress (1-based); after success it is {@code rounds}. */
    record JobRow(
            UUID id,
            String caller,
            String idempotencyKey,
            String requestHash,
            UUID planId,
            String task,
            JobSettings spec,
            JobState state,
            int round,
            int rounds,
            String reason,
            String message,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            Instant deadlineAt,
            JobView.Result result) {}

    /** One stored event; {@code seq} is its SSE id. */
    record Event(long seq, String type, String data) {}

    /** Inserts a job, its first round and that round's items (one per device), and the first event. */
    @Transactional
    void insert(JobRow job) {
        insert(job, null);
    }

    /** As {@link #insert(JobRow)}, the first round running {@code first} (null: the plan as it is). */
    @Transactional
    void insert(JobRow job, RoundSchedule first) {
        jdbc.sql(
                        "INSERT INTO job (id, caller, idempotency_key, request_hash, plan_id, task, spec, state, round, rounds,"
                                + " created_at, deadline_at) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, 1, ?, ?, ?)")
                .params(
                        job.id(),
                        job.caller(),
                        job.idempotencyKey(),
                        job.requestHash(),
                        job.planId(),
                        job.task(),
                        json.writeValueAsString(job.spec()),
                        job.state().name(),
                        job.rounds(),
                        ts(job.createdAt()),
                        ts(job.deadlineAt()))
                .update();
        startRound(job.id(), 1, job.spec(), first);
        event(job.id(), "state", Map.of("state", JobState.QUEUED.name(), "round", 0, "rounds", job.rounds()));
    }

    /**
     * A round, its schedule (null: the job's plan) and its items, one per device of the schedule (or one for all
     * when fused). Its input state is not written: it is round 1's seeded blocks, or the union of the previous
     * round's items' blocks ({@link #checkpoint}).
     */
    void startRound(UUID jobId, int round, JobSettings jobSpec, RoundSchedule schedule) {
        // clock_timestamp(), not now(): the merge that starts a round runs in a transaction begun before it
        jdbc.sql(
                        "INSERT INTO job_round (job_id, round, started_at, schedule) VALUES (?, ?, clock_timestamp(), ?::jsonb)")
                .params(jobId, round, schedule == null ? null : json.writeValueAsString(schedule))
                .update();
        for (JobSettings.RoundItem i : roundSpec(jobSpec, schedule).items()) {
            item(jobId, round, i.device(), i.layers());
        }
    }

    private void item(UUID jobId, int round, String device, List<Integer> layers) {
        jdbc.sql("INSERT INTO work_item (job_id, round, device, layers, state, created_at)"
                        + " VALUES (?, ?, ?, ?::jsonb, " + Sql.is(WorkItemState.QUEUED) + ", now())")
                .params(jobId, round, device, json.writeValueAsString(layers))
                .update();
    }

    void event(UUID jobId, String type, Object data) {
        jdbc.sql("INSERT INTO job_event (job_id, type, data, created_at) VALUES (?, ?, ?::jsonb, now())")
                .params(jobId, type, json.writeValueAsString(data))
                .update();
    }

    Optional<JobRow> find(UUID id) {
        return jdbc.sql("SELECT * FROM job WHERE id = ?")
                .param(id)
                .query(this::row)
                .optional();
    }

    Optional<JobRow> findByKey(String caller, String key) {
        return jdbc.sql("SELECT * FROM job WHERE caller = ? AND idempotency_key = ?")
                .params(caller, key)
                .query(this::row)
                .optional();
    }

    int countActive(String caller) {
        return jdbc.sql("SELECT count(*) FROM job WHERE caller = ? AND state IN " + ACTIVE_JOB)
                .param(caller)
                .query(Integer.class)
                .single();
    }

    /** Serialises submissions of one caller, so the concurrent-jobs limit holds under races. */
    void lockCaller(String caller) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('loladeft.jobs:' || ?))")
                .param(caller)
                .query()
                .singleRow();
    }

    List<JobRow> page(JobState state, UUID planId, int page, int size) {
        return jdbc.sql("SELECT * FROM job WHERE (CAST(? AS VARCHAR) IS NULL OR state = ?)"
                        + " AND (CAST(? AS UUID) IS NULL OR plan_id = ?) ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(name(state), name(state), planId, planId, size, (long) page * size)
                .query(this::row)
                .list();
    }

    long count(JobState state, UUID planId) {
        return jdbc.sql("SELECT count(*) FROM job WHERE (CAST(? AS VARCHAR) IS NULL OR state = ?)"
                        + " AND (CAST(? AS UUID) IS NULL OR plan_id = ?)")
                .params(name(state), name(state), planId, planId)
                .query(Long.class)
                .single();
    }

    List<JobView.RoundMetrics> rounds(UUID jobId) {
        return jdbc.sql("SELECT metrics FROM job_round WHERE job_id = ? AND metrics IS NOT NULL ORDER BY round")
                .param(jobId)
                .query((rs, n) -> json.readValue(rs.getString(1), JobView.RoundMetrics.class))
                .list();
    }

    /** What round {@code round} runs when it differs from the job's plan (a re-plan, the round's gains). */
    Optional<RoundSchedule> schedule(UUID jobId, int round) {
        return jdbc.sql("SELECT schedule FROM job_round WHERE job_id = ? AND round = ? AND schedule IS NOT NULL")
                .params(jobId, round)
                .query((rs, n) -> json.readValue(rs.getString(1), RoundSchedule.class))
                .optional();
    }

    /** The job's spec as its round {@code round} runs it: its own schedule's, when it has one. */
    JobSettings roundSpec(UUID jobId, JobSettings spec, int round) {
        // A job that does not schedule its rounds never stores a schedule: no need to look.
        return spec.schedulesRounds() ? roundSpec(spec, schedule(jobId, round).orElse(null)) : spec;
    }

    /** The job's spec as a round with this schedule runs it. */
    static JobSettings roundSpec(JobSettings spec, RoundSchedule schedule) {
        return schedule == null ? spec : spec.withDevices(schedule.devices(), schedule.predictedRoundLatencySeconds());
    }

    /** Each device's item in the latest round that has items (a fused round's one item is every device's). */
    List<JobView.DeviceStatus> devices(JobRow job) {
        int latest = jdbc.sql("SELECT coalesce(max(round), 0) FROM work_item WHERE job_id = ?")
                .param(job.id())
                .query(Integer.class)
                .single();
        JobSettings spec = roundSpec(job.spec(), schedule(job.id(), latest).orElse(null));
        return jdbc
                .sql("SELECT device, round, state, attempts, worker FROM work_item WHERE job_id = ?"
                        + " AND round = (SELECT max(round) FROM work_item WHERE job_id = ?) ORDER BY device")
                .params(job.id(), job.id())
                .query((rs, n) -> {
                    String device = rs.getString("device");
                    List<JobSettings.DeviceRun> runs = spec.fused() ? spec.devices() : List.of(spec.device(device));
                    List<JobView.DeviceStatus> status = new ArrayList<>();
                    for (JobSettings.DeviceRun d : runs) {
                        status.add(new JobView.DeviceStatus(
                                d.name(),
                                d.layers(),
                                d.bandwidthHz(),
                                rs.getInt("round"),
                                rs.getString("state"),
                                rs.getInt("attempts"),
                                rs.getString("worker")));
                    }
                    return status;
                })
                .list()
                .stream()
                .flatMap(List::stream)
                .toList();
    }

    /**
     * Stored blocks a round's input is rebuilt from: the input of {@code round} is the union of {@code parts}
     * (a later round's input: that union with the rounds in between trained again).
     */
    record Checkpoint(int round, List<byte[]> parts) {}

    /**
     * The latest stored state at or before round {@code round}'s input: the blocks of the last round before
     * it whose items all stored theirs, in device order (or, for a round a version before 2026-12 started,
     * the one merged state it wrote). Empty when there is none (nothing but the seeded blocks to start
     * from). A merge drops every round's blocks before the last such round.
     */
    Optional<Checkpoint> checkpoint(UUID jobId, int round) {
        Optional<byte[]> written = jdbc.sql("SELECT global_blocks FROM job_round WHERE job_id = ? AND round = ?"
                        + " AND global_blocks IS NOT NULL")
                .params(jobId, round)
                .query((rs, n) -> rs.getBytes(1))
                .optional();
        if (written.isPresent()) {
            return Optional.of(new Checkpoint(round, List.of(written.get())));
        }
        String lastStored = "SELECT round FROM work_item WHERE job_id = ? AND round < ? GROUP BY round"
                + " HAVING bool_and(updated_blocks IS NOT NULL) ORDER BY round DESC LIMIT 1";
        Optional<Integer> stored =
                jdbc.sql(lastStored).params(jobId, round).query(Integer.class).optional();
        return stored.map(r -> new Checkpoint(
                r + 1,
                jdbc.sql("SELECT updated_blocks FROM work_item WHERE job_id = ? AND round = ? ORDER BY device")
                        .params(jobId, r)
                        .query((rs, n) -> rs.getBytes(1))
                        .list()));
    }

    /** The blocks the given devices' items of a round stored (all of them when the round is complete). */
    Map<String, byte[]> itemBlocks(UUID jobId, int round, Collection<String> devices) {
        Map<String, byte[]> out = new TreeMap<>();
        if (devices.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT device, updated_blocks FROM work_item WHERE job_id = ? AND round = ?"
                        + " AND device = ANY (?::varchar[])")
                .params(jobId, round, devices.toArray(String[]::new))
                .query((ResultSet rs) -> {
                    out.put(rs.getString(1), rs.getBytes(2));
                });
        return out;
    }

    /** Seconds since the round started, on the database's clock (workers' clocks may differ). */
    double roundWallSeconds(UUID jobId, int round) {
        return jdbc.sql("SELECT extract(epoch FROM clock_timestamp() - started_at) FROM job_round"
                        + " WHERE job_id = ? AND round = ?")
                .params(jobId, round)
                .query(Double.class)
                .optional()
                .orElse(0.0);
    }

    Optional<byte[]> resultBlocks(UUID jobId) {
        return jdbc.sql("SELECT result_blocks FROM job WHERE id = ? AND result_blocks IS NOT NULL")
                .param(jobId)
                .query((rs, n) -> rs.getBytes(1))
                .optional();
    }

    List<Event> events(UUID jobId, long afterSeq, int limit) {
        return jdbc.sql("SELECT seq, type, data FROM job_event WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?")
                .params(jobId, afterSeq, limit)
                .query((rs, n) -> new Event(rs.getLong(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /**
     * Ends a job that is not final yet (FAILED or CANCELLED) and withdraws its open items; a worker
     * holding one notices at its next heartbeat, and its completion no longer counts.
     */
    @Transactional
    boolean end(UUID jobId, JobState state, String reason, String message) {
        // Lock order, everywhere: a job's work items (by id) before the job's row, as claiming and
        // completing take them. Taking the job first deadlocked against a completing worker.
        jdbc.sql("SELECT id FROM work_item WHERE job_id = ? AND state IN " + OPEN_ITEM + " ORDER BY id FOR UPDATE")
                .param(jobId)
                .query(Long.class)
                .list();
        int changed = jdbc.sql("UPDATE job SET state = ?, reason = ?, message = ?, finished_at = now()"
                        + " WHERE id = ? AND state IN " + ACTIVE_JOB)
                .params(state.name(), reason, message, jobId)
                .update();
        if (changed == 0) {
            return false;
        }
        jdbc.sql("UPDATE work_item SET state = " + Sql.is(WorkItemState.CANCELLED) + ", lease_until = NULL"
                        + " WHERE job_id = ? AND state IN " + OPEN_ITEM)
                .param(jobId)
                .update();
        event(jobId, "state", Map.of("state", state.name(), "reason", reason, "message", message));
        return true;
    }

    /** Active jobs past their deadline. */
    List<UUID> overdue() {
        return jdbc.sql("SELECT id FROM job WHERE state IN " + ACTIVE_JOB + " AND deadline_at < now()")
                .query(UUID.class)
                .list();
    }

    Map<JobState, Long> countsByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        jdbc.sql("SELECT state, count(*) FROM job GROUP BY state").query((ResultSet rs) -> {
            counts.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
        });
        return counts;
    }

    /** Items waiting for a worker: queued, or claimed with an expired lease. */
    long queueDepth() {
        return jdbc.sql("SELECT count(*) FROM work_item WHERE state = " + Sql.is(WorkItemState.QUEUED) + " OR (state = "
                        + Sql.is(WorkItemState.CLAIMED) + " AND lease_until < now())")
                .query(Long.class)
                .single();
    }

    private JobRow row(ResultSet rs, int n) throws SQLException {
        String result = rs.getString("result");
        return new JobRow(
                rs.getObject("id", UUID.class),
                rs.getString("caller"),
                rs.getString("idempotency_key"),
                rs.getString("request_hash"),
                rs.getObject("plan_id", UUID.class),
                rs.getString("task"),
                specs.readValue(rs.getString("spec")),
                JobState.valueOf(rs.getString("state")),
                rs.getInt("round"),
                rs.getInt("rounds"),
                rs.getString("reason"),
                rs.getString("message"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "deadline_at"),
                result == null ? null : json.readValue(result, JobView.Result.class));
    }

    <T> T read(String value, TypeReference<T> type) {
        return json.readValue(value, type);
    }

    String write(Object value) {
        return json.writeValueAsString(value);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static String name(JobState s) {
        return s == null ? null : s.name();
    }
}
