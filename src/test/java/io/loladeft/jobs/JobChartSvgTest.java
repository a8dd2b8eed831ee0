package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A long job is drawn from bucket means: at most MAX_POINTS points, each the mean of its rounds. */
class JobChartSvgTest {

    @Test
    void longJobsAreDrawnFromBucketMeans() {
        List<JobView.RoundMetrics> rounds = new ArrayList<>();
        for (int r = 1; r <= 1_500; r++) {
            rounds.add(new JobView.RoundMetrics(r, r, null, List.of(), 0.5, 0.4, 1, Instant.EPOCH, null, null));
        }
        List<double[]> points = JobChartSvg.points(rounds, JobView.RoundMetrics::trainingLoss);
        assertThat(points).hasSizeLessThanOrEqualTo(JobChartSvg.MAX_POINTS);
        assertThat(points.get(0)).containsExactly(2.0, 2.0); // rounds 1..3, losses 1..3
        List<double[]> few = JobChartSvg.points(rounds.subList(0, 10), JobView.RoundMetrics::trainingLoss);
        assertThat(few).hasSize(10);
        assertThat(few.get(9)).containsExactly(10.0, 10.0);
    }
}
