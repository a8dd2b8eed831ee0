package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.registry.BlockConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The round merge as a function: blocks, loss and each device's measured and emulated time. */
class RoundMergeTest {

    /** Device a trains layer 1 (a third of the fused step's FLOPs), b layer 2 (all of them: the deepest). */
    static final JobSettings.DeviceRun A = new JobSettings.DeviceRun("a", List.of(1), 1e6, 1e10, 20, -90, 0.4, 1e9);

    static final JobSettings.DeviceRun B = new JobSettings.DeviceRun("b", List.of(2), 1e6, 2e10, 20, -90, 0.5, 3e9);

    static JobSettings spec(JobSettings.Execution execution) {
        return new JobSettings(
                "SST2",
                "/data",
                "/tok",
                null,
                null,
                new JobSettings.Shape(2, 32, 4, 64, 100, 66),
                new BlockConfig(BlockConfig.Kind.LORA, 4, 8.0, 0),
                3,
                new JobSettings.Optimizer(JobSettings.Optimizer.Kind.SGD, 0.01, 0, 0, 0),
                4,
                16,
                1,
                execution,
                3e9,
                0,
                1,
                -174,
                0.5,
                List.of(A, B),
                null,
                null,
                null,
                0);
    }

    static Map<String, HostTensor> blocks(Object... nameThenValues) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenValues.length; i += 2) {
            float[] v = (float[]) nameThenValues[i + 1];
            m.put((String) nameThenValues[i], new HostTensor(new long[] {v.length}, v));
        }
        return m;
    }

    /** 8 bytes over 1 MHz at 20 dBm, -90 dB gain, -174 dBm/Hz noise: SNR 20 - 90 + 174 - 60 = 44 dB. */
    static final double UPLOAD_8_BYTES = 64 / (1e6 * Math.log(1 + Math.pow(10, 4.4)) / Math.log(2));

    @Test
    void aFusedItemIsSharedByTheDevicesFlopsAndGivesEachItsOwnBytes() {
        Map<String, HostTensor> input = blocks("l1", new float[] {1, 2}, "l2", new float[] {3, 4});
        ItemResult r = new ItemResult(0.6, 1e11, 16, 0, List.of(0.5, 0.7), Map.of("a", 8L, "b", 8L));
        RoundMerge.Outcome o = RoundMerge.of(
                spec(JobSettings.Execution.FUSED),
                input,
                List.of(new RoundMerge.Item(
                        WorkQueue.ALL_DEVICES, blocks("l1", new float[] {5, 6}, "l2", new float[] {7, 8}), r, 1, "w")));

        Map<String, HostTensor> merged = o.blocks();
        assertThat(merged.get("l1").data()).containsExactly(5, 6);
        assertThat(merged.get("l2").data()).containsExactly(7, 8);
        assertThat(o.trainingLoss()).isCloseTo(0.6, within(1e-12));
        assertThat(o.devices()).extracting(JobView.DeviceRound::device).containsExactly("a", "b");
        JobView.DeviceRound a = o.devices().get(0);
        JobView.DeviceRound b = o.devices().get(1);
        assertThat(a.computeSeconds()).isCloseTo(0.2, within(1e-12));
        assertThat(b.computeSeconds()).isCloseTo(0.6, within(1e-12));
        assertThat(a.emulatedComputeSeconds()).isCloseTo(0.2 * 1e11 / 1e10, within(1e-9));
        assertThat(b.emulatedComputeSeconds()).isCloseTo(0.6 * 1e11 / 2e10, within(1e-9));
        assertThat(a.uploadBytes()).isEqualTo(8);
        assertThat(a.emulatedUploadSeconds()).isCloseTo(UPLOAD_8_BYTES, within(1e-12));
        assertThat(b.predictedLatencySeconds()).isEqualTo(0.5);
        assertThat(o.emulatedRoundLatencySeconds()).isCloseTo(3.0 + UPLOAD_8_BYTES, within(1e-9));
    }

    @Test
    void perDeviceItemsAreTheirDevicesOwnAndTheBlocksTheirUnion() {
        Map<String, HostTensor> input = blocks("l1", new float[] {1, 2}, "l2", new float[] {3, 4});
        RoundMerge.Outcome o = RoundMerge.of(
                spec(JobSettings.Execution.PER_DEVICE),
                input,
                List.of(
                        new RoundMerge.Item(
                                "a",
                                blocks("l1", new float[] {5, 6}),
                                new ItemResult(0.3, 1e11, 8, 0, List.of(1.0), null),
                                2,
                                "w1"),
                        new RoundMerge.Item(
                                "b",
                                blocks("l2", new float[] {7, 8}),
                                new ItemResult(0.1, 1e11, 8, 0, List.of(3.0), null),
                                1,
                                "w2")));

        Map<String, HostTensor> merged = o.blocks();
        assertThat(merged.get("l1").data()).containsExactly(5, 6);
        assertThat(merged.get("l2").data()).containsExactly(7, 8);
        assertThat(o.trainingLoss()).isEqualTo(2.0);
        assertThat(o.devices()).extracting(JobView.DeviceRound::computeSeconds).containsExactly(0.3, 0.1);
        assertThat(o.devices()).extracting(JobView.DeviceRound::attempts).containsExactly(2, 1);
        assertThat(o.devices()).extracting(JobView.DeviceRound::worker).containsExactly("w1", "w2");
        // a: 0.3 s at 1e11 on a 1e10 device is 3 s; b: 0.1 s on a 2e10 device is 0.5 s.
        assertThat(o.emulatedRoundLatencySeconds()).isCloseTo(3.0 + UPLOAD_8_BYTES, within(1e-9));
    }

    @Test
    void overlappingOrMissingBlocksAreRefused() {
        Map<String, HostTensor> input = blocks("l1", new float[] {1, 2}, "l2", new float[] {3, 4});
        ItemResult r = new ItemResult(0.1, 1e11, 8, 0, List.of(1.0), null);
        assertThatThrownBy(() -> RoundMerge.of(
                        spec(JobSettings.Execution.PER_DEVICE),
                        input,
                        List.of(
                                new RoundMerge.Item("a", blocks("l1", new float[] {5, 6}), r, 1, "w"),
                                new RoundMerge.Item("b", blocks("l1", new float[] {7, 8}), r, 1, "w"))))
                .hasMessageContaining("disjoint");
        assertThatThrownBy(() -> RoundMerge.of(
                        spec(JobSettings.Execution.PER_DEVICE),
                        input,
                        List.of(new RoundMerge.Item("a", blocks("l1", new float[] {5, 6}), r, 1, "w"))))
                .hasMessageContaining("not updated");
    }

    @Test
    void theNextStateSharesTheItemsTensorsInTheInputsOrder() {
        Map<String, HostTensor> input = blocks("l2", new float[] {3, 4}, "l1", new float[] {1, 2});
        Map<String, HostTensor> a = blocks("l1", new float[] {5, 6});
        Map<String, HostTensor> b = blocks("l2", new float[] {7, 8});
        Map<String, HostTensor> next = RoundMerge.next(input, List.of(a, b));
        assertThat(next.keySet()).containsExactly("l2", "l1");
        assertThat(next.get("l1")).isSameAs(a.get("l1"));
        assertThat(next.get("l2")).isSameAs(b.get("l2"));
        assertThat(input.get("l1").data()).as("the input is not changed").containsExactly(1, 2);
    }
}
