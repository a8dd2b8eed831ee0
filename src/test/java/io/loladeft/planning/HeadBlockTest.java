package io.loladeft.planning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The task head as a block of its own: its cost by hand, and where the solvers put it. */
class HeadBlockTest {

    private final Planner planner = new Planner();

    /** Alone, the head costs the forward pass, the head's backward and its own gradient on the first token only. */
    @Test
    void theHeadAloneCrossesNoEncoderLayer() {
        ModelSpec m = ModelSpec.robertaBaseLora();
        Device d = Device.of("d", 10e12, 64e9, 20, -100);
        PlanningProblem p = new PlanningProblem(
                List.of(d),
                m,
                List.of(new Block(13, m.headParams())),
                new Training(16, 128, 2, 1, 32),
                1e6,
                -174,
                1,
                0);
        CostModel cm = new CostModel(p);
        assertEquals(0, cm.depth[0]);
        double b = 16;
        double s = 128;
        double h = 768;
        double layer = 2 * b * s * (4 * h * h + 2 * h * 3072) + 4 * b * s * s * h;
        double head = 2 * b * (h * h + 2 * h);
        double flops = 12 * layer + head + head + 2 * b * 592_130;
        assertEquals(2 * flops / 10e12, cm.compute1(0, 0), 1e-12 * flops);
        double memory = m.backboneBytes() + m.workspaceBytes(b, s) + 4.0 * 4 * 592_130;
        assertEquals(memory, cm.memory1(0, 0), 1e-9 * memory);
        assertEquals(32.0 * 592_130, cm.bits[0]);
    }

    /** One block per device: the head is an item of its own, on a device of its own, and the plan is valid. */
    @Test
    void withOneBlockPerDeviceTheHeadHasADeviceOfItsOwn() {
        ModelSpec m = ModelSpec.robertaBaseLora();
        PlanningProblem p = PlanningProblem.of(Instances.fleet(16, 3, 64e9), m, 20e6);
        for (Algorithm a : List.of(
                Algorithm.JOINT,
                Algorithm.EXACT,
                Algorithm.CRUNCH,
                Algorithm.DUAL_ASCENT,
                Algorithm.DEPTH_UNAWARE,
                Algorithm.RANDOM)) {
            Plan plan = planner.plan(p, a);
            PlanValidator.requireValid(p, plan);
            List<Assignment> withHead =
                    plan.assignments().stream().filter(Assignment::head).toList();
            assertEquals(1, withHead.size(), a + ": one device trains the head");
            assertEquals(List.of(13), withHead.get(0).layers(), a.wireName());
        }
    }

    /** Several per device: the head is the run search's odd block and may join a run; exact equals brute force. */
    @Test
    void withSeveralPerDeviceTheHeadJoinsARun() {
        ModelSpec m = new ModelSpec(new RobertaShape(3, 32, 2, 64, 100, 16), BlockSpec.lora(2, 4), 4, 4);
        List<Device> fleet = List.of(Device.of("a", 1e9, 1e9, 20, -90), Device.of("b", 2e9, 1e9, 20, -95));
        PlanningProblem p = new PlanningProblem(
                fleet, m, PlanningProblem.oneBlockPerLayer(m), new Training(4, 16, 1, 1, 32), 1e6, -174, 2, 0);
        RunSearch.Structure st = RunSearch.structure(new CostModel(p));
        assertNotNull(st, "the head is the odd block of the run structure");
        assertEquals(3, st.odd(), "the head's block, index 3 (layer 4)");
        double opt = new IndependentOracle(p).p2();
        for (Algorithm a : List.of(Algorithm.JOINT, Algorithm.EXACT)) {
            Plan plan = planner.plan(p, a);
            PlanValidator.requireValid(p, plan);
            assertEquals(opt, plan.roundLatencySeconds(), 1e-8 * opt, a + " vs brute force");
            // Four blocks on two devices, two each: the head shares a device with an encoder block.
            Assignment h = plan.assignments().stream()
                    .filter(Assignment::head)
                    .findFirst()
                    .orElseThrow();
            assertEquals(2, h.layers().size(), a.wireName());
            assertTrue(h.layers().contains(4), a.wireName());
        }
    }
}
