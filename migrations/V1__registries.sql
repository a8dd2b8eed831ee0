-- Devices and models: the two registries the planner reads.
-- Variable-length parts (labels, measured profiles, architecture) are jsonb: they are read whole.

CREATE TABLE device (
    id              BIGSERIAL PRIMARY KEY,
    name            VARCHAR(63)      NOT NULL UNIQUE,
    compute_flops   DOUBLE PRECISION NOT NULL CHECK (compute_flops > 0),
    memory_bytes    DOUBLE PRECISION NOT NULL CHECK (memory_bytes > 0),
    tx_power_dbm    DOUBLE PRECISION NOT NULL,
    channel_gain_db DOUBLE PRECISION NOT NULL,
    labels          JSONB            NOT NULL DEFAULT '{}'::jsonb,
    profile         JSONB,
    created_at      TIMESTAMPTZ      NOT NULL,
    updated_at      TIMESTAMPTZ      NOT NULL,
    version         BIGINT           NOT NULL
);

CREATE TABLE model (
    id           BIGSERIAL PRIMARY KEY,
    name         VARCHAR(63)  NOT NULL UNIQUE,
    spec         JSONB        NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL,
    updated_at   TIMESTAMPTZ  NOT NULL,
    version      BIGINT       NOT NULL
);
