package io.loladeft.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.finetune.TestData;
import io.loladeft.finetune.glue.GlueReader;
import io.loladeft.finetune.glue.GlueTask;
import io.loladeft.finetune.model.Batch;
import io.loladeft.finetune.tokenizer.TextTokenizer;
import io.loladeft.finetune.train.EncodedDataset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A round's batches: a pure function of (seed, round), every row once per epoch, grouped by length. */
class RoundBatchesTest {

    static EncodedDataset data;

    @BeforeAll
    static void load() {
        try (TextTokenizer tok = TextTokenizer.fromDirectory(TestData.robertaBaseTokenizer())) {
            data = new EncodedDataset(tok, GlueReader.train(TestData.shared().resolve("glue"), GlueTask.RTE), 128);
        }
    }

    @Test
    void anEpochHoldsEveryRowOnceAndIsAFunctionOfSeedAndEpoch() {
        int batch = 8;
        int[] order = RoundBatches.epochOrder(data, batch, 7, 3);
        assertThat(order).hasSize(data.size() / batch * batch);
        Set<Integer> rows = new HashSet<>();
        Arrays.stream(order).forEach(rows::add);
        assertThat(rows).hasSize(order.length);
        assertThat(RoundBatches.epochOrder(data, batch, 7, 3)).isEqualTo(order);
        assertThat(RoundBatches.epochOrder(data, batch, 7, 4)).isNotEqualTo(order);
        assertThat(RoundBatches.epochOrder(data, batch, 8, 3)).isNotEqualTo(order);
    }

    @Test
    void batchesGroupedByLengthPadLessThanRandomOnes() {
        int batch = 16;
        int perEpoch = data.size() / batch;
        List<Batch> grouped = RoundBatches.of(data, batch, perEpoch, 1, 1);
        long groupedTokens = grouped.stream()
                .mapToLong(b -> (long) b.batchSize() * b.seqLen())
                .sum();
        int[] random = RoundBatches.permutation(data.size(), 1, 0);
        long randomTokens = 0;
        for (int b = 0; b < perEpoch; b++) {
            Batch x = data.batch(Arrays.copyOfRange(random, b * batch, (b + 1) * batch));
            randomTokens += (long) x.batchSize() * x.seqLen();
        }
        assertThat(groupedTokens).isLessThan(randomTokens * 3 / 4);
        assertThat(RoundBatches.of(data, batch, 3, 1, 5).get(1).inputIds())
                .isEqualTo(RoundBatches.of(data, batch, 3, 1, 5).get(1).inputIds());
    }
}
