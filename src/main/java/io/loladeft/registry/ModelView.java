package io.loladeft.registry;

import io.loladeft.common.MeasuredProfile;
import java.time.Instant;

/** A registered model as the API shows it. */
public record ModelView(
        String name,
        Architecture architecture,
        BlockConfig block,
        Precision precision,
        String weightsDir,
        String tokenizerDir,
        String pretrained,
        MeasuredProfile profile,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    /** The model as an inline body, e.g. to plan with it. */
    public ModelRequest body() {
        return new ModelRequest(name, architecture, block, precision, weightsDir, tokenizerDir, pretrained, profile);
    }
}
