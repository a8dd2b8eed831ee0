package io.loladeft.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for tests over a real socket: raw bodies, any media type, any header. */
public final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final int port;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public Http(int port) {
        this.base = "http://localhost:" + port;
        this.port = port;
    }

    /** This client with one more header on every request (credentials, usually). */
    public Http withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public record Response(int status, Map<String, List<String>> headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }

        /** The field paths a problem-details body names in its {@code errors} array. */
        public List<String> errorFields() {
            List<String> fields = new ArrayList<>();
            json().path("errors").forEach(e -> fields.add(e.path("field").asString()));
            return fields;
        }
    }

    public Response get(String path) {
        return send(base(path).GET().build());
    }

    public Response post(String path, String json) {
        return send(
                request(path, "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                json);
    }

    public Response put(String path, String json, String ifMatch) {
        HttpRequest.Builder b = request(path, "application/json").PUT(HttpRequest.BodyPublishers.ofString(json));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return send(b.build(), json);
    }

    public Response delete(String path, String ifMatch) {
        HttpRequest.Builder b = base(path).DELETE();
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return send(b.build());
    }

    public Response send(String method, String path, String contentType, HttpRequest.BodyPublisher body) {
        return send(request(path, contentType).method(method, body).build());
    }

    private HttpRequest.Builder request(String path, String contentType) {
        return base(path).header("Content-Type", contentType);
    }

    private HttpRequest.Builder base(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        return b;
    }

    /** GET a binary body; fails on any status but 200. */
    public byte[] getBytes(String path) {
        try {
            HttpResponse<byte[]> r = client.send(base(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Response send(HttpRequest request) {
        return send(
                request,
                request.bodyPublisher().map(p -> p.contentLength() == 0).orElse(true) ? "" : null);
    }

    /** {@code body}: what was sent, "" for nothing, null when unknown (then only the response is checked). */
    private Response send(HttpRequest request, String body) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            Response response = new Response(r.statusCode(), r.headers().map(), r.body());
            Exchanges.record(new Exchanges.Exchange(
                    port, request.method(), request.uri(), request.headers().map(), body, response));
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object value) {
        return JSON.writeValueAsString(value);
    }
}
