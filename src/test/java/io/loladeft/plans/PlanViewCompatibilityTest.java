package io.loladeft.plans;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Plans are stored as JSON: one stored before the head was a block of its own must still read back. */
class PlanViewCompatibilityTest {

    @Test
    void anAssignmentStoredWithoutHeadReadsBackAsNotTrainingTheHead() {
        JsonMapper json = JsonMapper.builder().build();
        PlanView.AssignmentView old = json.readValue("""
                {"device": "d0", "layers": [11, 12], "bandwidthHz": 1e6, "computeSeconds": 1, "uploadSeconds": 2,
                 "latencySeconds": 3, "memoryBytes": 4}""", PlanView.AssignmentView.class);
        assertThat(old.head()).isFalse();
        assertThat(old.layers()).isEqualTo(List.of(11, 12));
        PlanView.AssignmentView now = json.readValue(
                json.writeValueAsString(new PlanView.AssignmentView("d1", List.of(13), true, 1, 2, 3, 4, 5, null)),
                PlanView.AssignmentView.class);
        assertThat(now.head()).isTrue();
    }
}
