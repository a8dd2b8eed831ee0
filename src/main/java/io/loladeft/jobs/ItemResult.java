package io.loladeft.jobs;

import java.util.List;
import java.util.Map;

/**
 * What an item reports; stored with the item as JSON. A fused round's one item also gives each
 * device's {@code uploadBytes} (its own blocks); its other figures are the whole step's.
 */
record ItemResult(
        double computeSeconds,
        double hostFlops,
        long uploadBytes,
        long peakRssBytes,
        List<Double> losses,
        Map<String, Long> deviceUploadBytes) {}
