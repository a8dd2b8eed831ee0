-- Stored plans: the resolved request (devices and model inline, so a plan stands on its own when
-- the registry changes) and the plan exactly as the API returns it.
CREATE TABLE plan (
    id                    UUID             PRIMARY KEY,
    algorithm             VARCHAR(32)      NOT NULL,
    round_latency_seconds DOUBLE PRECISION NOT NULL,
    request               JSONB            NOT NULL,
    plan                  JSONB            NOT NULL,
    created_at            TIMESTAMPTZ      NOT NULL
);

CREATE INDEX plan_created_at_idx ON plan (created_at DESC);
