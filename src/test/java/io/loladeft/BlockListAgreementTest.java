package io.loladeft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loladeft.finetune.blocks.BlockLayout;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.planning.Block;
import io.loladeft.planning.BlockSpec;
import io.loladeft.planning.ModelSpec;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner's block list ({@link PlanningProblem#oneBlockPerLayer}) and the trainer's ({@link BlockLayout}) name
 * the same blocks by the same numbers (layers 1..L, the head at L+1), of the same kind, depth and size: a plan's
 * numbers are what the jobs module hands the trainer. The trainer's counts come from its tensor shapes, the planner's
 * from its formulas.
 */
class BlockListAgreementTest {

    private record Pair(String name, EncoderConfig trainer, RobertaShape planner) {}

    @Test
    void plannerAndTrainerAgreeOnEveryBlockOfEveryKind() {
        List<Pair> models = List.of(
                new Pair("roberta-base", EncoderConfig.robertaBase(2), RobertaShape.ROBERTA_BASE),
                new Pair("MiniLM-L6", EncoderConfig.miniLmL6(2), RobertaShape.MINILM_L6));
        int checked = 0;
        for (Pair m : models) {
            for (String kind : List.of("lora", "adapter", "layer")) {
                io.loladeft.finetune.blocks.BlockSpec trainerSpec = switch (kind) {
                    case "lora" -> io.loladeft.finetune.blocks.BlockSpec.lora(8, 16f);
                    case "adapter" -> io.loladeft.finetune.blocks.BlockSpec.adapter(64);
                    default -> io.loladeft.finetune.blocks.BlockSpec.layer();
                };
                BlockSpec plannerSpec = switch (kind) {
                    case "lora" -> BlockSpec.lora(8, 16);
                    case "adapter" -> BlockSpec.adapter(64);
                    default -> BlockSpec.layer();
                };
                ModelSpec spec = new ModelSpec(m.planner(), plannerSpec, 4, 4);
                BlockLayout layout = new BlockLayout(m.trainer(), trainerSpec);
                List<Block> blocks = PlanningProblem.oneBlockPerLayer(spec);
                String at = m.name() + " " + kind;
                assertEquals(layout.numBlocks(), blocks.size(), at + ": number of blocks");
                assertEquals(layout.headBlock(), spec.headLayer(), at + ": the head's block");
                for (Block b : blocks) {
                    int l = b.layer();
                    assertEquals(layout.parameterCount(l), b.params(), at + " block " + l + ": parameters");
                    assertEquals(layout.depthOf(l), b.depth(m.planner().layers()), at + " block " + l + ": depth");
                    assertEquals(layout.kindOf(l).name(), spec.kindAt(l).name(), at + " block " + l + ": kind");
                    checked++;
                }
            }
        }
        assertEquals(3 * (13 + 7), checked);
    }
}
