/**
 * Planning for a channel that changes from round to round: seeded block-fading models of the uplink power gain
 * ({@link ChannelModel}), robust plans that promise their exact latency quantile ({@link RobustPlanner}), the realized
 * latency of a fixed plan under other gains, and the simulator that compares planning policies on the same draws.
 * Plain Java like the rest of the planning core; it calls the solvers only through
 * {@link io.loladeft.planning.Planner}'s public API.
 */
package io.loladeft.planning.channel;
