package io.loladeft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.marcnuri.helm.jni.NativeLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.InstanceOfAssertFactory;
import org.assertj.core.api.MapAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders the Helm chart in helm/ with the native helm that helm-java ships in its
 * platform jar, then checks the rendered Kubernetes objects. No cluster and no helm binary needed.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm");
    static final String RELEASE = "edge";
    static final String FULLNAME = "edge-lola-deft";

    /** The least a user must give: an external PostgreSQL. */
    static Map<String, Object> withDatabase() {
        var values = new LinkedHashMap<String, Object>();
        values.put("database.url", "jdbc:postgresql://pg.db.svc:5432/loladeft");
        values.put("database.username", "loladeft");
        values.put("database.password", "s3cret");
        return values;
    }

    static Map<String, Object> withDatabase(Object... overrides) {
        var values = withDatabase();
        for (int i = 0; i < overrides.length; i += 2) {
            values.put((String) overrides[i], overrides[i + 1]);
        }
        return values;
    }

    // ---- the native helm ----

    @Test
    void helmComesFromTheClasspathNotFromADownload() {
        // helm-java falls back to downloading the platform jar from Maven Central when no
        // NativeLibrary is on the classpath; the build must never depend on that.
        var providers = ServiceLoader.load(NativeLibrary.class).stream()
                .map(ServiceLoader.Provider::type)
                .toList();
        assertThat(providers)
                .as("helm-java platform jar (e.g. com.marcnuri.helm-java:linux-amd64)")
                .isNotEmpty();
    }

    // ---- lint ----

    @Test
    void lintPassesStrictlyOnceADatabaseIsGiven(@TempDir Path tmp) throws IOException {
        // helm lint takes no --set here, so lint a copy whose values.yaml names a database.
        Path chart = copyChart(tmp);
        Path valuesFile = chart.resolve("values.yaml");
        String values = Files.readString(valuesFile);
        String withDb = values.replace("  url: \"\"", "  url: \"jdbc:postgresql://pg.db.svc:5432/loladeft\"")
                .replace("  username: \"\"", "  username: \"loladeft\"")
                .replace("  password: \"\"", "  password: \"s3cret\"");
        assertThat(withDb)
                .as("values.yaml still has the database keys this test fills in")
                .contains("jdbc:postgresql://pg.db.svc", "username: \"loladeft\"", "password: \"s3cret\"");
        Files.writeString(valuesFile, withDb);

        LintResult result = new Helm(chart).lint().strict().call();

        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @Test
    void lintPassesStrictlyOnTheChartAsShipped() {
        // In lint mode helm reports a template's fail() as INFO and goes on, so the shipped defaults
        // (no database) lint clean; the render tests below check that they refuse to install.
        LintResult result = new Helm(CHART).lint().strict().call();

        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    // ---- defaults ----

    @Test
    void defaultsRenderTheApiTheWorkersAndTheirConfiguration() {
        var objects = render(withDatabase());

        assertThat(objects.stream()
                        .map(o -> o.get("kind") + "/" + name(o))
                        .sorted()
                        .toList())
                .containsExactly(
                        "ConfigMap/" + FULLNAME,
                        "Deployment/" + FULLNAME + "-api",
                        "Deployment/" + FULLNAME + "-worker",
                        "HorizontalPodAutoscaler/" + FULLNAME + "-api",
                        "NetworkPolicy/" + FULLNAME,
                        "PodDisruptionBudget/" + FULLNAME + "-api",
                        "PodDisruptionBudget/" + FULLNAME + "-worker",
                        "Secret/" + FULLNAME + "-database",
                        "Service/" + FULLNAME,
                        "Service/" + FULLNAME + "-management");
        for (var o : objects) {
            assertThat(at(o, "metadata.labels"))
                    .as(name(o))
                    .asInstanceOf(MAP)
                    .containsEntry("app.kubernetes.io/name", "lola-deft")
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKeys("helm.sh/chart", "app.kubernetes.io/version");
        }
    }

    @Test
    void eachDeploymentRunsItsRoleFromTheSameImage() {
        var objects = render(withDatabase());
        var api = one(objects, "Deployment", FULLNAME + "-api");
        var worker = one(objects, "Deployment", FULLNAME + "-worker");

        assertThat(env(container(api)).get("LOLADEFT_ROLE")).isEqualTo("api");
        assertThat(env(container(worker)).get("LOLADEFT_ROLE")).isEqualTo("worker");
        assertThat(at(container(api), "image")).isEqualTo("lola-deft:0.1.0").isEqualTo(at(container(worker), "image"));
        assertThat(at(api, "spec.selector.matchLabels.app\\.kubernetes\\.io/component"))
                .isEqualTo("api");
        assertThat(at(worker, "spec.selector.matchLabels.app\\.kubernetes\\.io/component"))
                .isEqualTo("worker");
        assertThat(at(api, "spec.template.metadata.labels"))
                .asInstanceOf(MAP)
                .containsAllEntriesOf(asMap(at(api, "spec.selector.matchLabels")));

        var service = one(objects, "Service", FULLNAME);
        assertThat(asMap(at(service, "spec.selector"))).isEqualTo(asMap(at(api, "spec.selector.matchLabels")));
        assertThat(at(service, "spec.ports.0.targetPort")).isEqualTo("http");
        assertThat(at(container(api), "ports.0"))
                .asInstanceOf(MAP)
                .containsEntry("name", "http")
                .containsEntry("containerPort", 8080);
    }

    @Test
    void bothRolesGetTheDatabaseFromConfigMapAndSecret() {
        var objects = render(withDatabase());
        var config = one(objects, "ConfigMap", FULLNAME);
        var secret = one(objects, "Secret", FULLNAME + "-database");

        assertThat(asMap(config.get("data")))
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://pg.db.svc:5432/loladeft")
                .containsEntry("LOLADEFT_EMBEDDED_DB_ENABLED", "false")
                .doesNotContainKeys("SPRING_DATASOURCE_PASSWORD", "SPRING_DATASOURCE_USERNAME");
        assertThat(decode(at(secret, "data.username"))).isEqualTo("loladeft");
        assertThat(decode(at(secret, "data.password"))).isEqualTo("s3cret");
        for (var deployment : deployments(objects)) {
            var c = container(deployment);
            assertThat(at(c, "envFrom.0.configMapRef.name")).isEqualTo(FULLNAME);
            assertThat(envVar(c, "SPRING_DATASOURCE_PASSWORD"))
                    .isEqualTo(Map.of(
                            "valueFrom",
                            Map.of("secretKeyRef", Map.of("name", FULLNAME + "-database", "key", "password"))));
            assertThat(envVar(c, "SPRING_DATASOURCE_USERNAME"))
                    .isEqualTo(Map.of(
                            "valueFrom",
                            Map.of("secretKeyRef", Map.of("name", FULLNAME + "-database", "key", "username"))));
        }
    }

    @Test
    void probesHitLivezAndReadyzWithAStartupBudgetForTheJvmAndDjl() {
        for (var deployment : deployments(render(withDatabase()))) {
            var c = container(deployment);
            assertThat(at(c, "livenessProbe.httpGet")).isEqualTo(Map.of("path", "/livez", "port", "http"));
            assertThat(at(c, "readinessProbe.httpGet")).isEqualTo(Map.of("path", "/readyz", "port", "http"));
            assertThat(at(c, "startupProbe.httpGet")).isEqualTo(Map.of("path", "/livez", "port", "http"));
            int startupBudget =
                    (Integer) at(c, "startupProbe.periodSeconds") * (Integer) at(c, "startupProbe.failureThreshold");
            assertThat(startupBudget).as("seconds a pod may take to start").isGreaterThanOrEqualTo(180);
            assertThat((Integer) at(deployment, "spec.template.spec.terminationGracePeriodSeconds"))
                    .as("longer than the preStop sleep plus Spring's 30 s shutdown phase")
                    .isGreaterThan(
                            30 + Integer.parseInt((String) ((List<?>) at(c, "lifecycle.preStop.exec.command")).get(1)));
            assertThat(asMap(at(c, "resources.requests"))).containsKeys("cpu", "memory");
            assertThat(asMap(at(c, "resources.limits"))).containsKeys("cpu", "memory");
        }
    }

    @Test
    void podsRunAsUid10001OnAReadOnlyRootWithWritableTmpDjlCacheAndData() {
        var objects = render(withDatabase());
        var config = asMap(one(objects, "ConfigMap", FULLNAME).get("data"));
        assertThat(config)
                .containsEntry("DJL_CACHE_DIR", "/var/cache/djl")
                .containsEntry("ENGINE_CACHE_DIR", "/var/cache/djl")
                .containsEntry("LOLADEFT_FILES_ROOTS", "/data")
                .doesNotContainKey("LOLADEFT_DATA_DIR");

        for (var deployment : deployments(objects)) {
            var pod = asMap(at(deployment, "spec.template.spec"));
            assertThat(asMap(pod.get("securityContext")))
                    .containsEntry("runAsNonRoot", true)
                    .containsEntry("runAsUser", 10001)
                    .containsEntry("fsGroup", 10001);
            assertThat(pod).containsEntry("automountServiceAccountToken", false);
            var c = container(deployment);
            assertThat(asMap(c.get("securityContext")))
                    .containsEntry("runAsNonRoot", true)
                    .containsEntry("runAsUser", 10001)
                    .containsEntry("readOnlyRootFilesystem", true)
                    .containsEntry("allowPrivilegeEscalation", false)
                    .containsEntry("capabilities", Map.of("drop", List.of("ALL")));

            var mounts = mounts(c);
            assertThat(mounts)
                    .containsEntry("/tmp", "tmp")
                    .containsEntry("/var/cache/djl", "djl-cache")
                    .containsEntry("/data", "data");
            var volumes = volumes(deployment);
            assertThat(volumes.get("tmp")).containsKey("emptyDir");
            assertThat(volumes.get("djl-cache")).containsKey("emptyDir");
            assertThat(volumes.get("data")).containsKey("emptyDir");
        }
    }

    @Test
    void podsCarryPrometheusScrapeAnnotations() {
        for (var deployment : deployments(render(withDatabase()))) {
            assertThat(asMap(at(deployment, "spec.template.metadata.annotations")))
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", "8081")
                    .containsEntry("prometheus.io/path", "/actuator/prometheus")
                    .containsKeys("checksum/config", "checksum/secret");
        }
    }

    // ---- issue 14: exposure, disruption, names, size, data ----

    @Test
    void theMainServiceCarriesOnlyTheApiAndManagementHasItsOwn() {
        var objects = render(withDatabase());
        var main = one(objects, "Service", FULLNAME);
        assertThat((List<?>) at(main, "spec.ports")).hasSize(1);
        assertThat(at(main, "spec.ports.0.name")).isEqualTo("http");
        var management = one(objects, "Service", FULLNAME + "-management");
        assertThat(at(management, "spec.type")).isEqualTo("ClusterIP");
        assertThat(at(management, "spec.ports.0"))
                .asInstanceOf(MAP)
                .containsEntry("port", 8081)
                .containsEntry("targetPort", "management");
        assertThat(asMap(at(management, "spec.selector"))).doesNotContainKey("app.kubernetes.io/component");

        assertThat(kinds(render(withDatabase("metrics.service.enabled", false))))
                .containsOnlyOnce("Service");
    }

    @Test
    void aNetworkPolicyOpensTheApiPortAndKeepsManagementInside() {
        var policy = one(render(withDatabase()), "NetworkPolicy", FULLNAME);
        assertThat(at(policy, "spec.policyTypes")).isEqualTo(List.of("Ingress"));
        assertThat(asMap(at(policy, "spec.podSelector.matchLabels")))
                .containsEntry("app.kubernetes.io/instance", RELEASE);
        assertThat(at(policy, "spec.ingress.0.ports.0.port")).isEqualTo("http");
        assertThat(asMap(at(policy, "spec.ingress.0"))).doesNotContainKey("from");
        assertThat(at(policy, "spec.ingress.1.ports.0.port")).isEqualTo("management");
        assertThat(at(policy, "spec.ingress.1.from")).isEqualTo(List.of(Map.of("podSelector", Map.of())));

        var monitoring = one(
                render(withDatabase(
                        "networkPolicy.managementFrom[0].namespaceSelector.matchLabels.name", "monitoring")),
                "NetworkPolicy",
                FULLNAME);
        assertThat(at(monitoring, "spec.ingress.1.from.0.namespaceSelector.matchLabels.name"))
                .isEqualTo("monitoring");
        assertThat(kinds(render(withDatabase("networkPolicy.enabled", false)))).doesNotContain("NetworkPolicy");
    }

    @Test
    void aDisruptionBudgetPerRoleSelectsThatRolesPods() {
        var objects = render(withDatabase());
        for (String role : List.of("api", "worker")) {
            var pdb = one(objects, "PodDisruptionBudget", FULLNAME + "-" + role);
            assertThat(at(pdb, "apiVersion")).isEqualTo("policy/v1");
            assertThat(at(pdb, "spec.maxUnavailable")).isEqualTo(1);
            assertThat(asMap(at(pdb, "spec.selector.matchLabels")))
                    .isEqualTo(
                            asMap(at(one(objects, "Deployment", FULLNAME + "-" + role), "spec.selector.matchLabels")));
        }
        assertThat(kinds(render(withDatabase("worker.enabled", false)))).containsOnlyOnce("PodDisruptionBudget");
    }

    @Test
    void everyNameFitsADnsLabelEvenForTheLongestReleaseName() {
        String release = "a".repeat(53); // helm's own limit for release names
        TemplateCommand template = new Helm(CHART).template().withName(release).withNamespace("lola");
        withDatabase(
                        "metrics.serviceMonitor.enabled",
                        true,
                        "data.persistence.enabled",
                        true,
                        "dataLoader.enabled",
                        true)
                .forEach(template::set);
        var names = new ArrayList<String>();
        for (Object doc : new Yaml().loadAll(template.call())) {
            if (doc != null) {
                names.add(name(asMap(doc)));
            }
        }
        assertThat(names)
                .hasSizeGreaterThan(10)
                .allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
    }

    @Test
    void defaultRequestsScheduleOnALaptop() {
        var objects = render(withDatabase());
        double cpu = 0;
        double memoryGi = 0;
        for (var deployment : deployments(objects)) {
            int replicas = at(deployment, "spec.replicas") instanceof Integer r ? r : 2; // the HPA's minimum
            var requests = asMap(at(container(deployment), "resources.requests"));
            String c = requests.get("cpu").toString();
            cpu += replicas
                    * (c.endsWith("m")
                            ? Double.parseDouble(c.substring(0, c.length() - 1)) / 1000
                            : Double.parseDouble(c));
            String m = requests.get("memory").toString();
            memoryGi += replicas
                    * (m.endsWith("Gi")
                            ? Double.parseDouble(m.replace("Gi", ""))
                            : Double.parseDouble(m.replace("Mi", "")) / 1024);
        }
        assertThat(cpu).as("CPU requested by the default install").isLessThanOrEqualTo(2.0);
        assertThat(memoryGi).as("GiB requested by the default install").isLessThanOrEqualTo(4.0);
    }

    @Test
    void theDataLoaderFillsTheSharedVolumeOnce() {
        var objects = render(withDatabase("data.persistence.enabled", true, "dataLoader.enabled", true));
        var loader = one(objects, "Job", FULLNAME + "-load-1");
        assertThat(at(loader, "spec.ttlSecondsAfterFinished")).isEqualTo(3600);
        var c = asMap(((List<?>) at(loader, "spec.template.spec.containers")).get(0));
        assertThat(env(c)).containsEntry("DATA_DIR", "/data");
        assertThat(mounts(c)).containsEntry("/data", "data");
        assertThat(String.join("\n", (List<String>) c.get("command")))
                .contains("$DATA_DIR/glue", "$DATA_DIR/roberta-base");
        assertThat(volumes(loader).get("data"))
                .isEqualTo(Map.of("name", "data", "persistentVolumeClaim", Map.of("claimName", FULLNAME + "-data")));
        assertThat(kinds(render(withDatabase()))).doesNotContain("Job");
        assertThatThrownBy(() -> render(withDatabase("dataLoader.enabled", true)))
                .hasMessageContaining("dataLoader.enabled needs data.persistence.enabled");
    }

    @Test
    void theChartsTextSaysAuthIsEnforced() throws IOException {
        for (Path p : List.of(
                CHART.resolve("values.yaml"), CHART.resolve("README.md"), CHART.resolve("templates/NOTES.txt"))) {
            assertThat(Files.readString(p))
                    .as(p.toString())
                    .doesNotContainIgnoringCase("ignores them")
                    .doesNotContain("once the service enforces it")
                    .doesNotContain("lands with the security");
        }
    }

    // ---- scaling ----

    @Test
    void theHpaOwnsTheApiReplicasAndTheWorkersKeepTwo() {
        var objects = render(withDatabase());
        var hpa = one(objects, "HorizontalPodAutoscaler", FULLNAME + "-api");

        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(at(hpa, "spec.scaleTargetRef"))
                .isEqualTo(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", FULLNAME + "-api"));
        assertThat(at(hpa, "spec.minReplicas")).isEqualTo(2);
        assertThat(at(hpa, "spec.metrics.0.resource"))
                .isEqualTo(Map.of("name", "cpu", "target", Map.of("type", "Utilization", "averageUtilization", 70)));
        assertThat(asMap(at(one(objects, "Deployment", FULLNAME + "-api"), "spec")))
                .doesNotContainKey("replicas");
        assertThat(at(one(objects, "Deployment", FULLNAME + "-worker"), "spec.replicas"))
                .isEqualTo(2);
    }

    @Test
    void withoutAutoscalingTheApiRunsItsOwnReplicas() {
        var objects = render(withDatabase("api.autoscaling.enabled", false));

        assertThat(kinds(objects)).doesNotContain("HorizontalPodAutoscaler");
        assertThat(at(one(objects, "Deployment", FULLNAME + "-api"), "spec.replicas"))
                .isEqualTo(2);
    }

    @Test
    void workersCanBeDisabled() {
        var objects = render(withDatabase("worker.enabled", false));

        assertThat(deployments(objects)).extracting(HelmChartTest::name).containsExactly(FULLNAME + "-api");
        assertThat(objects).noneMatch(o -> "worker".equals(at(o, "metadata.labels.app\\.kubernetes\\.io/component")));
    }

    // ---- database ----

    @Test
    void anExistingSecretReplacesTheChartsSecret() {
        var values = new LinkedHashMap<String, Object>();
        values.put("database.url", "jdbc:postgresql://pg.db.svc:5432/loladeft");
        values.put("database.existingSecret", "pg-credentials");
        values.put("database.existingSecretKeys.username", "user");
        var objects = render(values);

        assertThat(kinds(objects)).doesNotContain("Secret");
        for (var deployment : deployments(objects)) {
            var c = container(deployment);
            assertThat(envVar(c, "SPRING_DATASOURCE_USERNAME"))
                    .isEqualTo(Map.of(
                            "valueFrom", Map.of("secretKeyRef", Map.of("name", "pg-credentials", "key", "user"))));
            assertThat(envVar(c, "SPRING_DATASOURCE_PASSWORD"))
                    .isEqualTo(Map.of(
                            "valueFrom", Map.of("secretKeyRef", Map.of("name", "pg-credentials", "key", "password"))));
            assertThat(asMap(at(deployment, "spec.template.metadata.annotations")))
                    .doesNotContainKey("checksum/secret");
        }
    }

    @Test
    void renderingFailsClearlyWithoutADatabase() {
        assertThatThrownBy(() -> render(Map.of()))
                .hasMessageContaining("database.url is required: this chart runs no PostgreSQL");
        assertThatThrownBy(() -> render(Map.of("database.url", "jdbc:postgresql://pg:5432/loladeft")))
                .hasMessageContaining(
                        "database.username and database.password are required unless database.existingSecret");
    }

    @Test
    void dataCanLiveOnAPersistentVolumeClaim() {
        var created = render(withDatabase("data.persistence.enabled", true, "data.persistence.size", "50Gi"));
        var pvc = one(created, "PersistentVolumeClaim", FULLNAME + "-data");
        assertThat(at(pvc, "spec.accessModes")).isEqualTo(List.of("ReadWriteMany"));
        assertThat(at(pvc, "spec.resources.requests.storage")).isEqualTo("50Gi");
        for (var deployment : deployments(created)) {
            assertThat(volumes(deployment).get("data"))
                    .isEqualTo(
                            Map.of("name", "data", "persistentVolumeClaim", Map.of("claimName", FULLNAME + "-data")));
        }

        var existing =
                render(withDatabase("data.persistence.enabled", true, "data.persistence.existingClaim", "glue-data"));
        assertThat(kinds(existing)).doesNotContain("PersistentVolumeClaim");
        for (var deployment : deployments(existing)) {
            assertThat(volumes(deployment).get("data"))
                    .isEqualTo(Map.of("name", "data", "persistentVolumeClaim", Map.of("claimName", "glue-data")));
        }
    }

    // ---- security hooks (issue 6) ----

    @Test
    void authIsOnByDefaultWithNoMechanismWiredUntilConfigured() {
        var objects = render(withDatabase());
        assertThat(asMap(one(objects, "ConfigMap", FULLNAME).get("data")))
                .containsEntry("LOLADEFT_AUTH_ENABLED", "true")
                .doesNotContainKeys(
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI",
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI");
        for (var deployment : deployments(objects)) {
            assertThat(env(container(deployment))).doesNotContainKey("LOLADEFT_AUTH_API_KEYS");
        }
    }

    @Test
    void authValuesBecomeTheAppsEnvironment() {
        var objects = render(withDatabase(
                "auth.jwt.issuerUri", "https://idp.example.org/realms/edge",
                "auth.jwt.jwkSetUri", "https://idp.example.org/realms/edge/certs",
                "auth.apiKeys.existingSecret", "loladeft-api-keys"));

        assertThat(asMap(one(objects, "ConfigMap", FULLNAME).get("data")))
                .containsEntry(
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", "https://idp.example.org/realms/edge")
                .containsEntry(
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI",
                        "https://idp.example.org/realms/edge/certs");
        for (var deployment : deployments(objects)) {
            assertThat(envVar(container(deployment), "LOLADEFT_AUTH_API_KEYS"))
                    .isEqualTo(Map.of(
                            "valueFrom",
                            Map.of("secretKeyRef", Map.of("name", "loladeft-api-keys", "key", "api-keys"))));
        }

        var off = render(withDatabase("auth.enabled", false));
        assertThat(asMap(one(off, "ConfigMap", FULLNAME).get("data"))).containsEntry("LOLADEFT_AUTH_ENABLED", "false");
    }

    // ---- metrics ----

    @Test
    void theServiceMonitorScrapesApiAndWorkersOnTheManagementPort() {
        var objects = render(withDatabase("metrics.serviceMonitor.enabled", true, "metrics.managementPort", 9090));

        var monitor = one(objects, "ServiceMonitor", FULLNAME);
        assertThat(at(monitor, "spec.endpoints.0"))
                .asInstanceOf(MAP)
                .containsEntry("port", "management")
                .containsEntry("path", "/actuator/prometheus");
        var selector = asMap(at(monitor, "spec.selector.matchLabels"));
        var management = one(objects, "Service", FULLNAME + "-management");
        assertThat(asMap(at(management, "metadata.labels"))).containsAllEntriesOf(selector);
        assertThat(objects)
                .as("the management Service already reaches the workers")
                .noneMatch(o -> (FULLNAME + "-worker-metrics").equals(name(o)));
        var withoutManagementService =
                render(withDatabase("metrics.serviceMonitor.enabled", true, "metrics.service.enabled", false));
        var workerMetrics = one(withoutManagementService, "Service", FULLNAME + "-worker-metrics");
        assertThat(asMap(at(workerMetrics, "metadata.labels"))).containsAllEntriesOf(selector);
        assertThat(at(workerMetrics, "spec.clusterIP")).isEqualTo("None");
        assertThat(asMap(one(objects, "ConfigMap", FULLNAME).get("data")))
                .containsEntry("MANAGEMENT_SERVER_PORT", "9090");
        for (var deployment : deployments(objects)) {
            assertThat(at(container(deployment), "ports.1"))
                    .asInstanceOf(MAP)
                    .containsEntry("name", "management")
                    .containsEntry("containerPort", 9090);
            assertThat(asMap(at(deployment, "spec.template.metadata.annotations")))
                    .containsEntry("prometheus.io/port", "9090");
        }
    }

    // ---- values that must be refused ----

    @Test
    void theSchemaRejectsWrongTypesUnknownKeysAndBadEnums() {
        assertThatThrownBy(() -> render(withDatabase("api.replicas", "two")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(withDatabase("api.replica", 3)))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replica");
        assertThatThrownBy(() -> render(withDatabase("image.pullPolicy", "Sometimes")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("pullPolicy");
        assertThatThrownBy(() -> render(withDatabase("database.url", "postgres://pg:5432/loladeft")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("url");
    }

    @Test
    void contradictoryValuesTheSchemaCannotSeeAreRefused() {
        assertThatThrownBy(() -> render(withDatabase("terminationGracePeriodSeconds", 32)))
                .hasMessageContaining("terminationGracePeriodSeconds (32) must exceed preStopSleepSeconds (5)");
        assertThatThrownBy(() -> render(withDatabase("api.autoscaling.minReplicas", 8)))
                .hasMessageContaining(
                        "api.autoscaling.minReplicas (8) must not exceed api.autoscaling.maxReplicas (6)");
    }

    // ---- documentation ----

    @Test
    void theReadmeTablesEveryValue() throws IOException {
        Map<String, Object> values = asMap(new Yaml().load(Files.readString(CHART.resolve("values.yaml"))));
        String readme = Files.readString(CHART.resolve("README.md"));
        var undocumented = new ArrayList<String>();
        collectUndocumented(values, "", readme, undocumented);

        assertThat(undocumented)
                .as("values.yaml keys without a row in helm/README.md")
                .isEmpty();
    }

    /** A key is documented by its own row, or (for a non-empty map) by rows for all its keys. */
    static void collectUndocumented(
            Map<String, Object> values, String prefix, String readme, List<String> undocumented) {
        values.forEach((key, value) -> {
            String path = prefix + key;
            if (readme.contains("| `" + path + "` |")) {
                return;
            }
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                collectUndocumented(asMap(value), path + ".", readme, undocumented);
            } else {
                undocumented.add(path);
            }
        });
    }

    // ---- helpers ----

    @SuppressWarnings("rawtypes")
    static final InstanceOfAssertFactory<Map, MapAssert<Object, Object>> MAP = InstanceOfAssertFactories.MAP;

    static List<Map<String, Object>> render(Map<String, ?> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace("lola");
        values.forEach(template::set);
        String manifest = template.call();
        var objects = new ArrayList<Map<String, Object>>();
        for (Object doc : new Yaml().loadAll(manifest)) {
            if (doc != null) {
                objects.add(asMap(doc));
            }
        }
        return objects;
    }

    static Path copyChart(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path dest = target.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest);
                }
            }
        }
        return target;
    }

    static List<String> kinds(List<Map<String, Object>> objects) {
        return objects.stream().map(o -> (String) o.get("kind")).toList();
    }

    static String name(Map<String, Object> object) {
        return (String) at(object, "metadata.name");
    }

    static Map<String, Object> one(List<Map<String, Object>> objects, String kind, String name) {
        var matches = objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(name(o)))
                .toList();
        assertThat(matches).as(kind + "/" + name + " among " + kinds(objects)).hasSize(1);
        return matches.get(0);
    }

    static List<Map<String, Object>> deployments(List<Map<String, Object>> objects) {
        var found =
                objects.stream().filter(o -> "Deployment".equals(o.get("kind"))).toList();
        assertThat(found).isNotEmpty();
        return found;
    }

    static Map<String, Object> container(Map<String, Object> deployment) {
        var containers = (List<?>) at(deployment, "spec.template.spec.containers");
        assertThat(containers).hasSize(1);
        return asMap(containers.get(0));
    }

    /** Plain name: value environment variables of a container. */
    static Map<String, Object> env(Map<String, Object> container) {
        var env = new LinkedHashMap<String, Object>();
        for (Object e : (List<?>) container.get("env")) {
            var entry = asMap(e);
            env.put((String) entry.get("name"), entry.get("value"));
        }
        return env;
    }

    /** One environment variable, less its name (so {value: ...} or {valueFrom: ...}). */
    static Map<String, Object> envVar(Map<String, Object> container, String name) {
        for (Object e : (List<?>) container.get("env")) {
            var entry = new LinkedHashMap<>(asMap(e));
            if (name.equals(entry.remove("name"))) {
                return entry;
            }
        }
        throw new AssertionError(name + " not in the env of container " + container.get("name"));
    }

    /** mountPath to volume name. */
    static Map<String, String> mounts(Map<String, Object> container) {
        var mounts = new LinkedHashMap<String, String>();
        for (Object m : (List<?>) container.get("volumeMounts")) {
            mounts.put((String) asMap(m).get("mountPath"), (String) asMap(m).get("name"));
        }
        return mounts;
    }

    static Map<String, Map<String, Object>> volumes(Map<String, Object> deployment) {
        var volumes = new LinkedHashMap<String, Map<String, Object>>();
        for (Object v : (List<?>) at(deployment, "spec.template.spec.volumes")) {
            volumes.put((String) asMap(v).get("name"), asMap(v));
        }
        return volumes;
    }

    static String decode(Object base64) {
        return new String(Base64.getDecoder().decode((String) base64), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    /**
     * The node at a dotted path; a number indexes a list, and "\\." escapes a dot inside a key
     * (app\\.kubernetes\\.io/component). Null when a step is missing.
     */
    static Object at(Object node, String path) {
        for (String step : path.split("(?<!\\\\)\\.")) {
            String key = step.replace("\\.", ".");
            if (node instanceof Map<?, ?> map) {
                node = map.get(key);
            } else if (node instanceof List<?> list && key.chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(key);
                node = index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return node;
    }
}
