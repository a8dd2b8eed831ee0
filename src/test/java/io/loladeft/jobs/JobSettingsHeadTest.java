package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A job's devices always cover the head's block (L+1): as planned, or with layer L for plans from before. */
class JobSettingsHeadTest {

    private static JobSettings.DeviceRun run(String name, List<Integer> blocks) {
        return new JobSettings.DeviceRun(name, blocks, 1e6, 1e12, 20, -90, 1, 1);
    }

    @Test
    void aPlannedHeadStaysWhereThePlanPutIt() {
        List<JobSettings.DeviceRun> planned = List.of(run("a", List.of(1)), run("b", List.of(2)), run("c", List.of(3)));
        assertThat(JobSettings.withHead(planned, 2)).isEqualTo(planned);
    }

    @Test
    void aPlanWithoutTheHeadTrainsItWithTheTopLayer() {
        List<JobSettings.DeviceRun> old = List.of(run("a", List.of(2)), run("b", List.of(1)));
        List<JobSettings.DeviceRun> now = JobSettings.withHead(old, 2);
        assertThat(now.get(0).layers()).containsExactly(2, 3);
        assertThat(now.get(1).layers()).containsExactly(1);
    }
}
