package io.loladeft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class AnalyticCostTest {

    @Test
    void layerFlopsFollowTheSpecFormula() {
        AnalyticCost c = new AnalyticCost(12, 768, 3072, 2, 8, 128);
        double perLayer = 2.0 * 8 * 128 * (4.0 * 768 * 768 + 2.0 * 768 * 3072) + 4.0 * 8 * 128 * 128 * 768;
        assertEquals(perLayer, c.layerFlops(), 1e-3);
        double head = 2.0 * 8 * (768.0 * 768 + 768.0 * 2);
        assertEquals(12 * perLayer + head, c.forwardFlops(), 1e-3);
        assertEquals(12 * perLayer + 2 * head + 3 * perLayer + 2.0 * 8 * 128 * 1000, c.iterationFlops(3, 1000), 1e-3);
    }

    @Test
    void comparisonFitsOneScaleAndReportsErrorsPerDepth() {
        // measured times exactly proportional to the model's FLOPs at 2 GFLOP/s: fitted error 0
        AnalyticCost c = new AnalyticCost(2, 32, 64, 2, 4, 16);
        double t1 = c.iterationFlops(1, 100) / 2e9;
        double t2 = c.iterationFlops(2, 100) / 2e9;
        String json = "{\"layers\":2,\"hidden\":32,\"intermediate\":64,\"batchSize\":4,\"seqLen\":16,"
                + "\"blockKind\":\"layer\",\"hostFlops\":4e9,\"raw\":[{\"depth\":1,\"blockParameters\":100,\"medianSeconds\":"
                + t1 + "},{\"depth\":2,\"blockParameters\":100,\"medianSeconds\":" + t2 + "}]}";
        JsonObject r = AnalyticVsMeasured.compare(JsonParser.parseString(json).getAsJsonObject());
        assertEquals(2e9, r.get("fittedFlops").getAsDouble(), 1e-3);
        assertEquals(0.0, r.get("maxAbsErrorFitted").getAsDouble(), 1e-12);
        assertEquals(
                -0.5,
                r.getAsJsonArray("depths")
                        .get(0)
                        .getAsJsonObject()
                        .get("errorGemm")
                        .getAsDouble(),
                1e-12);
    }
}
