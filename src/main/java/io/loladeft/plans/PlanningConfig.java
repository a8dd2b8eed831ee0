package io.loladeft.plans;

import io.loladeft.planning.Planner;
import io.loladeft.planning.PlanningLimits;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The planning core as a bean: stateless and thread-safe, so one serves every request. */
@Configuration(proxyBeanMethods = false)
class PlanningConfig {

    @Bean
    Planner planner(@Value("${loladeft.planning.time-budget-millis:5000}") long timeBudgetMillis) {
        PlanningLimits d = PlanningLimits.defaults();
        return new Planner(new PlanningLimits(d.exactMaxWork(), timeBudgetMillis, d.maxIterations(), d.gapTolerance()));
    }
}
