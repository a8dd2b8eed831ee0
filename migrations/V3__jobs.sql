-- Fine-tuning jobs (docs/jobs.md). Everything a round needs lives here, so any worker can run any
-- item and a restarted process continues where things stood.

-- One job: its resolved settings (spec), where it stands (state, round) and, when done, the result.
CREATE TABLE job (
    id              UUID         PRIMARY KEY,
    caller          VARCHAR(255) NOT NULL,
    idempotency_key VARCHAR(255),
    request_hash    VARCHAR(64)  NOT NULL,
    plan_id         UUID         NOT NULL REFERENCES plan (id),
    task            VARCHAR(16)  NOT NULL,
    spec            JSONB        NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    round           INT          NOT NULL,
    rounds          INT          NOT NULL,
    reason          VARCHAR(64),
    message         TEXT,
    created_at      TIMESTAMPTZ  NOT NULL,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    deadline_at     TIMESTAMPTZ,
    result          JSONB,
    result_blocks   BYTEA,
    CONSTRAINT job_idempotency UNIQUE (caller, idempotency_key)
);
CREATE INDEX job_created_at_idx ON job (created_at DESC);
CREATE INDEX job_active_idx ON job (state) WHERE state IN ('QUEUED', 'RUNNING');

-- One row per round: its input (the global block state, NULL for round 1 = the model's seeded
-- blocks) and, once merged, its measurements.
CREATE TABLE job_round (
    job_id        UUID        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    round         INT         NOT NULL,
    global_blocks BYTEA,
    metrics       JSONB,
    started_at    TIMESTAMPTZ NOT NULL,
    completed_at  TIMESTAMPTZ,
    PRIMARY KEY (job_id, round)
);

-- The queue: one item per involved device per round, claimed with FOR UPDATE SKIP LOCKED and held
-- by a lease that heartbeats renew. claim_token fences a worker whose lease expired.
CREATE TABLE work_item (
    id             BIGSERIAL    PRIMARY KEY,
    job_id         UUID         NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    round          INT          NOT NULL,
    device         VARCHAR(253) NOT NULL,
    layers         JSONB        NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    worker         VARCHAR(255),
    claim_token    UUID,
    lease_until    TIMESTAMPTZ,
    attempts       INT          NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_blocks BYTEA,
    result         JSONB,
    CONSTRAINT work_item_once UNIQUE (job_id, round, device)
);
CREATE INDEX work_item_open_idx ON work_item (id) WHERE state IN ('QUEUED', 'CLAIMED');

-- Progress and state changes, in order; seq is the SSE event id (Last-Event-ID resumes after it).
CREATE TABLE job_event (
    seq        BIGSERIAL   PRIMARY KEY,
    job_id     UUID        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    type       VARCHAR(32) NOT NULL,
    data       JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX job_event_job_idx ON job_event (job_id, seq);
