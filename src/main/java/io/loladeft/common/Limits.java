package io.loladeft.common;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How much work one request may ask for ({@code loladeft.limits.*}); each is refused with a
 * problem detail naming the limit. Defaults suit one replica on a small machine.
 *
 * @param maxBodyBytes          largest request body (413 beyond)
 * @param maxJsonDepth          deepest JSON nesting (400 beyond)
 * @param maxDevices            devices in one fleet or batch
 * @param maxBlocks             parameter blocks in one plan
 * @param exactMaxWork          the exact solver's work cap (its own unit, see docs/planning.md)
 * @param planTimeBudgetMillis  wall-clock budget of one solve; solvers stop there and say so
 * @param maxJobRounds          rounds one fine-tuning job may ask for (400 beyond)
 * @param maxConcurrentJobs     queued or running jobs one caller may have (429 beyond)
 * @param maxSimulatedDeviceRounds  rounds x devices one channel simulation may ask for (400 beyond): each round
 *                              re-plans, and the answer lists every device's gain every round
 * @param simulationTimeBudgetMillis wall-clock budget of one whole simulation (422 past it)
 */
@ConfigurationProperties("loladeft.limits")
public record Limits(
        @DefaultValue("1048576") long maxBodyBytes,
        @DefaultValue("64") int maxJsonDepth,
        @DefaultValue("10000") int maxDevices,
        @DefaultValue("1024") int maxBlocks,
        @DefaultValue("2e7") double exactMaxWork,
        @DefaultValue("5000") long planTimeBudgetMillis,
        @DefaultValue("100000") int maxJobRounds,
        @DefaultValue("4") int maxConcurrentJobs,
        @DefaultValue("20000") int maxSimulatedDeviceRounds,
        @DefaultValue("30000") long simulationTimeBudgetMillis) {

    /** A 400 naming the field and the limit it broke. */
    public static void require(boolean ok, String field, String limitName, long limit) {
        if (!ok) {
            throw Problems.badRequest(
                    field + " exceeds a service limit",
                    List.of(new FieldViolation(
                            field, "at most " + limit + " allowed (loladeft.limits." + limitName + ")")));
        }
    }
}
