package io.loladeft.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks real exchanges against the committed contract, openapi/openapi.yaml, with Atlassian's
 * swagger-request-validator: every response (status, headers, media type, body schema) must be one
 * the spec declares for its operation, and every request the service accepted (2xx) must be one the
 * spec allows. Requests the service refused were wrong on purpose, so only their answers are checked.
 * Exchanges outside {@code /api/} (probes, Actuator, Swagger UI) or on paths and methods the spec
 * does not have (a test's deliberate 404 or 405) are not the contract's business.
 */
public final class SpecConformance {

    public static final Path CONTRACT = Path.of("openapi", "openapi.yaml");

    private static OpenApiInteractionValidator validator;

    private SpecConformance() {}

    static synchronized OpenApiInteractionValidator validator() {
        if (validator == null) {
            validator = OpenApiInteractionValidator.createForSpecificationUrl(
                            CONTRACT.toAbsolutePath().toUri().toString())
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.request.path.missing", ValidationReport.Level.IGNORE)
                            .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.IGNORE)
                            // The service ignores query parameters it does not know (HostileInputTest adds some).
                            .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.IGNORE)
                            // The validator reads Spring's sort=name,desc (an array item with a comma) as JSON.
                            .withLevel("validation.request.parameter.schema.invalidJson", ValidationReport.Level.IGNORE)
                            // The tests authenticate by X-API-Key or bearer token: one of the two suffices.
                            .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                            .build())
                    .build();
        }
        return validator;
    }

    /** One line per violation, naming the exchange; empty when all conform. */
    public static List<String> violations(List<Exchanges.Exchange> exchanges) {
        List<String> found = new ArrayList<>();
        for (Exchanges.Exchange e : exchanges) {
            String path = e.uri().getRawPath();
            if (!path.startsWith("/api/")) {
                continue;
            }
            Http.Response r = e.response();
            SimpleRequest.Builder request = new SimpleRequest.Builder(e.method(), path);
            e.requestHeaders().forEach(request::withHeader);
            if (e.requestBody() != null && !e.requestBody().isEmpty()) {
                request.withBody(e.requestBody());
            }
            String query = e.uri().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    request.withQueryParam(name, value);
                }
            }
            SimpleResponse.Builder response = new SimpleResponse.Builder(r.status());
            r.headers().forEach((name, values) -> {
                if (name != null && !name.startsWith(":")) {
                    response.withHeader(name, values);
                }
            });
            if (r.body() != null && !r.body().isEmpty()) {
                response.withBody(r.body());
            }
            Request built = request.build();
            ValidationReport report = validator().validate(built, response.build());
            boolean accepted = r.status() < 400;
            for (ValidationReport.Message m : report.getMessages()) {
                // Paging parameters out of range are clamped by Spring Data, not refused: a lenient server, not a lying
                // spec.
                if (m.getLevel() != ValidationReport.Level.ERROR
                        || (!accepted && m.getKey().startsWith("validation.request"))
                        || m.getKey().startsWith("validation.request.parameter.")
                        || e.requestBody() == null && m.getKey().startsWith("validation.request.body")) {
                    continue;
                }
                found.add(e.method().toUpperCase(Locale.ROOT) + " " + e.uri().getRawPath()
                        + (query == null ? "" : "?" + query) + " -> " + r.status() + ": [" + m.getKey() + "] "
                        + m.getMessage());
            }
        }
        return found;
    }
}
