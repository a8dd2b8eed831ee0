package io.loladeft.jobs;

import java.util.List;

/**
 * What one round of a job runs when it differs from the plan (stored with the round as JSON): its devices with
 * their blocks, bandwidths, the round's gains and predictions, and why it is what it is.
 *
 * @param devices   the involved devices ({@link JobSettings.DeviceRun}, gains of this round)
 * @param predictedRoundLatencySeconds what the planner predicts for this round at these gains
 * @param replanned whether the round was re-planned (the policy, a drift, or devices that left)
 * @param moved     whether blocks changed device (their migration is in the devices' {@code migrationBytes})
 * @param gone      registered devices of the plan that are deleted or unschedulable, left out from this round on
 */
record RoundSchedule(
        List<JobSettings.DeviceRun> devices,
        double predictedRoundLatencySeconds,
        boolean replanned,
        boolean moved,
        List<String> gone) {}
