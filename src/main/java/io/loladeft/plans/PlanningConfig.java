package io.loladeft.plans;

import io.loladeft.common.Limits;
import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The planning core as a bean: stateless and thread-safe, so one serves every request. */
@Configuration(proxyBeanMethods = false)
class PlanningConfig {

    @Bean
    Planner planner(Limits limits) {
        PlanningLimits d = PlanningLimits.defaults();
        return new Planner(new PlanningLimits(
                limits.exactMaxWork(), limits.planTimeBudgetMillis(), d.maxIterations(), d.gapTolerance()));
    }
}
