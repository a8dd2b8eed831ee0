package io.loladeft.plans;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plans as JSON documents in PostgreSQL. Plain JDBC rather than JPA: a plan is written once and
 * read whole, and the plan endpoint is the service's hottest path.
 */
@Repository
class PlanStore {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    PlanStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    record Stored(PlanView plan, PlanRequest request) {}

    void save(PlanView plan, PlanRequest request) {
        jdbc.sql("INSERT INTO plan (id, algorithm, round_latency_seconds, request, plan, created_at)"
                        + " VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?)")
                .params(
                        plan.id(),
                        plan.algorithm(),
                        plan.roundLatencySeconds(),
                        json.writeValueAsString(request),
                        json.writeValueAsString(plan),
                        Timestamp.from(plan.createdAt()))
                .update();
    }

    Optional<Stored> find(UUID id) {
        return jdbc.sql("SELECT request, plan FROM plan WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Stored(
                        json.readValue(rs.getString("plan"), PlanView.class),
                        json.readValue(rs.getString("request"), PlanRequest.class)))
                .optional();
    }

    /** Newest first. */
    List<PlanView> page(int page, int size) {
        return jdbc.sql("SELECT plan FROM plan ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(size, (long) page * size)
                .query((rs, n) -> json.readValue(rs.getString("plan"), PlanView.class))
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM plan").query(Long.class).single();
    }
}
