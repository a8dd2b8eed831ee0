package io.loladeft.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every request a test made through {@link Http} and the answer it got, for {@link SpecConformance}. */
public final class Exchanges {

    /** One request and its response; {@code requestBody} "" when none was sent, null when unknown. */
    public record Exchange(
            int port,
            String method,
            URI uri,
            Map<String, List<String>> requestHeaders,
            String requestBody,
            Http.Response response) {}

    private static final List<Exchange> RECORDED = new ArrayList<>();

    private Exchanges() {}

    static synchronized void record(Exchange exchange) {
        if (RECORDED.size() < 20_000) {
            RECORDED.add(exchange);
        }
    }

    /** What was recorded since the last call, and forget it. */
    public static synchronized List<Exchange> drain() {
        List<Exchange> all = List.copyOf(RECORDED);
        RECORDED.clear();
        return all;
    }
}
