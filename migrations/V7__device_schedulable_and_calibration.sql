-- A device an operator takes out of service (running jobs leave it out from their next round), and what jobs
-- measured of it: its effective speed (FLOP/s the planner uses instead of the declared compute_flops) and how many
-- rounds it rests on. Rounds also recalibrate the device's own profile in place (the profile column).
ALTER TABLE device
    ADD COLUMN unschedulable    BOOLEAN          NOT NULL DEFAULT false,
    ADD COLUMN effective_flops  DOUBLE PRECISION CHECK (effective_flops > 0),
    ADD COLUMN calibrated_rounds BIGINT          NOT NULL DEFAULT 0,
    ADD COLUMN calibrated_at    TIMESTAMPTZ,
    ADD CONSTRAINT device_calibration_whole CHECK ((effective_flops IS NULL) = (calibrated_at IS NULL));
