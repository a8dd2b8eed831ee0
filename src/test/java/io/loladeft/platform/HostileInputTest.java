package io.loladeft.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.loladeft.support.ApiTest;
import io.loladeft.support.Http;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Thousands of seeded, mutated and malformed requests against every endpoint: wrong types, NaN
 * and huge numbers, deep nesting, truncated JSON, binary noise, path and query tricks. The service
 * must answer every one with less than 500, never leak a stack trace, never hang, and still plan
 * afterwards. A failure prints the seed and the request that broke it.
 */
class HostileInputTest extends ApiTest {

    static final long SEED = 20261125L;
    static final int REQUESTS = 3000;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String DEVICE = """
            {"name": "fuzz-dev", "computeFlops": 2.0e12, "memoryBytes": 8.0e9, "txPowerDbm": 23, "channelGainDb": -90,
             "labels": {"zone": "a"}, "profile": {"computeSeconds": [0.1, 0.2], "memoryBytes": [1e9, 2e9]}}""";
    static final String MODEL = """
            {"name": "fuzz-model", "architecture": {"layers": 4, "hidden": 64, "heads": 4, "intermediate": 256,
             "vocab": 1000, "maxPositions": 130}, "block": {"kind": "lora", "rank": 4, "alpha": 8},
             "precision": "fp32", "weightsDir": "models/w"}""";
    static final String PLAN = """
            {"algorithm": "jbba", "bandwidthHz": 2e7, "noisePsdDbmPerHz": -174, "maxBlocksPerDevice": 2, "seed": 3,
             "devices": [
               {"name": "a", "computeFlops": 1e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -90},
               {"name": "b", "computeFlops": 2e12, "memoryBytes": 8e9, "txPowerDbm": 20, "channelGainDb": -95,
                "bandwidthHz": 5e6},
               {"name": "c", "computeFlops": 5e11, "memoryBytes": 4e9, "txPowerDbm": 23, "channelGainDb": -100}],
             "model": {"architecture": {"layers": 4, "hidden": 64, "heads": 4, "intermediate": 256, "vocab": 1000,
               "maxPositions": 130}, "block": {"kind": "adapter", "bottleneck": 8}},
             "blocks": [{"layer": 1, "params": 1000}, {"layer": 2, "params": 1000}, {"layer": 3, "params": 1000},
               {"layer": 4, "params": 1000}],
             "training": {"batchSize": 8, "seqLen": 64, "localIterations": 1, "rounds": 10, "bitsPerParam": 16}}""";

    static final String JOB = """
            {"plan": %s, "task": "sst2", "dataDir": "glue", "tokenizerDir": "roberta-base", "weightsDir": "models/w",
             "rounds": 3, "learningRate": 0.01, "batchSize": 8, "seqLen": 64, "evalEvery": 1, "seed": 5,
             "deadlineSeconds": 600}""".formatted(PLAN);

    record Target(String method, String path, String body) {}

    static final List<Target> TARGETS = List.of(
            new Target("POST", "/api/v1/devices", DEVICE),
            new Target("POST", "/api/v1/devices/batch", "{\"devices\": [" + DEVICE + "]}"),
            new Target("PUT", "/api/v1/devices/fuzz-dev", DEVICE),
            new Target("POST", "/api/v1/models", MODEL),
            new Target("PUT", "/api/v1/models/fuzz-model", MODEL),
            new Target("POST", "/api/v1/plans", PLAN),
            new Target("POST", "/api/v1/plans/compare", PLAN),
            new Target("POST", "/api/v1/model-presets/roberta-base", null),
            new Target("GET", "/api/v1/devices/fuzz-dev", null),
            new Target("GET", "/api/v1/devices?labelSelector=zone%3Da&page=0&size=5&sort=name,desc", null),
            new Target("GET", "/api/v1/models/fuzz-model", null),
            new Target("GET", "/api/v1/models?page=0&size=5", null),
            new Target("GET", "/api/v1/plans?page=0&size=5", null),
            new Target("GET", "/api/v1/plans/00000000-0000-0000-0000-000000000000", null),
            new Target("GET", "/api/v1/plans/00000000-0000-0000-0000-000000000000/timeline.svg", null),
            new Target("DELETE", "/api/v1/devices/fuzz-dev", null),
            new Target("POST", "/api/v1/jobs", JOB),
            new Target("GET", "/api/v1/jobs?state=RUNNING&page=0&size=5", null),
            new Target("GET", "/api/v1/jobs/00000000-0000-0000-0000-000000000000", null),
            new Target("GET", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/events", null),
            new Target("GET", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/blocks", null),
            new Target("POST", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/cancel", null));

    static final Object[] HOSTILE = {
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1e999",
        "1e308",
        "-1",
        "0",
        "-0.0",
        "2147483648",
        "9223372036854775808",
        "1e-320",
        "0.5",
        "\"\"",
        "\"x\"",
        "null",
        "true",
        "[]",
        "{}",
        "\"../../etc/passwd\"",
        "\"/etc/passwd\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"<script>alert(1)</script>\"",
        "\"" + "a".repeat(5000) + "\"",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"a\": {\"b\": {\"c\": [1, \"2\", null]}}}",
        "1.7976931348623157E309",
        "\"jbba\"",
        "\"exact\"",
        "100000"
    };

    static final String[] PATH_TRICKS = {
        "..",
        "%2e%2e",
        "..%2f..%2fetc%2fpasswd",
        "%00",
        "a%00b",
        "%ff%fe",
        "x".repeat(3000),
        "%E2%80%AE",
        "CON",
        "a;jsessionid=1",
        "%25",
        "+",
        "%20",
        "null",
        "-1",
        "UPPER"
    };

    @Test
    void noHostileRequestBreaksTheService() {
        SplittableRandom random = new SplittableRandom(SEED);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            Target target = TARGETS.get(random.nextInt(TARGETS.size()));
            String method = target.method();
            String path = target.path();
            String body = target.body();
            String contentType = "application/json";
            String mutation;
            switch (random.nextInt(9)) {
                case 0, 1, 2 -> {
                    mutation = "value";
                    body = body == null ? null : mutateValue(body, random);
                }
                case 3 -> {
                    mutation = "drop or add a field";
                    body = body == null ? null : reshape(body, random);
                }
                case 4 -> {
                    mutation = "truncate";
                    body = body == null ? "{" : body.substring(0, random.nextInt(body.length()));
                }
                case 5 -> {
                    mutation = "noise";
                    byte[] noise = new byte[random.nextInt(2000)];
                    random.nextBytes(noise);
                    body = new String(noise, StandardCharsets.ISO_8859_1);
                }
                case 6 -> {
                    mutation = "path";
                    path = mutatePath(path, random);
                }
                case 7 -> {
                    mutation = "query";
                    path = path.replaceAll("\\?.*", "") + "?" + hostileQuery(random);
                }
                default -> {
                    mutation = "media type";
                    contentType = List.of(
                                    "text/plain",
                                    "application/xml",
                                    "application/x-www-form-urlencoded",
                                    "multipart/form-data; boundary=x",
                                    "application/json; charset=ebcdic")
                            .get(random.nextInt(5));
                }
            }
            HttpRequest.BodyPublisher publisher = body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1);
            Http.Response r;
            try {
                r = http.send(method, path, contentType, publisher);
            } catch (RuntimeException e) {
                throw new AssertionError(describe(i, mutation, method, path, body) + " -> " + e, e);
            }
            statuses.merge(r.status(), 1, Integer::sum);
            assertThat(r.status())
                    .as(describe(i, mutation, method, path, body) + " -> " + r.body())
                    .isLessThan(500);
            assertThat(r.body())
                    .as(describe(i, mutation, method, path, body))
                    .doesNotContain("at io.loladeft", "at org.springframework", "Exception:");
        }
        System.out.println("hostile input: " + REQUESTS + " requests, statuses " + statuses);
        assertThat(http.get("/livez").status()).isEqualTo(200);
        assertThat(http.post("/api/v1/plans", PLAN).status()).isEqualTo(201);
        assertThat(statuses.keySet())
                .as("the mutations reached validation, not just the router")
                .contains(400, 201);
    }

    static String describe(int i, String mutation, String method, String path, String body) {
        String shown = body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
        return "request " + i + " (seed " + SEED + ", " + mutation + "): " + method + " "
                + (path.length() > 200 ? path.substring(0, 200) + "…" : path) + " " + shown;
    }

    /** Replaces one value anywhere in the tree with a hostile literal (spliced as raw text: NaN is no JSON). */
    static String mutateValue(String body, SplittableRandom random) {
        JsonNode root = JSON.readTree(body);
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = containers.get(random.nextInt(containers.size()));
        JsonNode marker = JsonNodeFactory.instance.stringNode(MARKER);
        if (parent instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>(object.propertyNames());
            object.set(names.get(random.nextInt(names.size())), marker);
        } else if (parent instanceof ArrayNode array && !array.isEmpty()) {
            array.set(random.nextInt(array.size()), marker);
        }
        return JSON.writeValueAsString(root)
                .replace("\"" + MARKER + "\"", HOSTILE[random.nextInt(HOSTILE.length)].toString());
    }

    static final String MARKER = "__hostile__";

    /** Drops a field, adds an unknown one, or duplicates a key. */
    static String reshape(String body, SplittableRandom random) {
        JsonNode root = JSON.readTree(body);
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        List<ObjectNode> objects = containers.stream()
                .filter(ObjectNode.class::isInstance)
                .map(ObjectNode.class::cast)
                .toList();
        ObjectNode target = objects.get(random.nextInt(objects.size()));
        switch (random.nextInt(3)) {
            case 0 -> {
                if (!target.isEmpty()) {
                    List<String> names = new ArrayList<>(target.propertyNames());
                    target.remove(names.get(random.nextInt(names.size())));
                }
            }
            case 1 -> target.set("unexpected" + random.nextInt(5), JsonNodeFactory.instance.numberNode(1));
            default -> {
                String json = JSON.writeValueAsString(root);
                return json.replaceFirst("\\{", "{\"name\": \"dup\", \"name\": \"dup2\", ");
            }
        }
        return JSON.writeValueAsString(root);
    }

    static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainer()) {
            out.add(node);
            for (JsonNode child : node) {
                collect(child, out);
            }
        }
    }

    static String mutatePath(String path, SplittableRandom random) {
        String[] parts = path.replaceAll("\\?.*", "").split("/");
        int at = 3 + random.nextInt(parts.length - 3);
        parts[at] = PATH_TRICKS[random.nextInt(PATH_TRICKS.length)];
        return String.join("/", parts);
    }

    static String hostileQuery(SplittableRandom random) {
        String[] keys = {"page", "size", "sort", "labelSelector", "name"};
        String[] values = {
            "-1",
            "0",
            "99999999999",
            "abc",
            "name,desc",
            "nonsense",
            "computeFlops;drop table device",
            "zone=a,!b",
            "!a=b",
            "a in (b)",
            "=",
            ",",
            "%00",
            "1e9",
            "x".repeat(2000)
        };
        StringBuilder q = new StringBuilder();
        for (int i = 0; i <= random.nextInt(3); i++) {
            q.append(i == 0 ? "" : "&")
                    .append(keys[random.nextInt(keys.length)])
                    .append('=')
                    .append(URLEncoder.encode(values[random.nextInt(values.length)], StandardCharsets.UTF_8));
        }
        return q.toString();
    }
}
