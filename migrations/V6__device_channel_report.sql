-- A device's latest measured uplink gain (PUT /api/v1/devices/{name}/channel). Plans use it instead of the
-- mean channel_gain_db while it is fresh (loladeft.planning.channel-report-max-age). Both or neither.
ALTER TABLE device
    ADD COLUMN reported_gain_db DOUBLE PRECISION,
    ADD COLUMN reported_at      TIMESTAMPTZ,
    ADD CONSTRAINT device_channel_report_whole CHECK ((reported_gain_db IS NULL) = (reported_at IS NULL));
