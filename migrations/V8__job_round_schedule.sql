-- The round's schedule when it differs from the job's plan: under a fading channel, a re-planning policy or after
-- devices left, each round has its own devices, blocks, bandwidths, gains and prediction (JSON, read whole). NULL:
-- the job's spec, as before.
ALTER TABLE job_round ADD COLUMN schedule JSONB;
