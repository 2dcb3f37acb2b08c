package io.flexserve.server.deploy;

import static io.flexserve.server.deploy.DeployFiles.DOCKER;
import static io.flexserve.server.deploy.DeployFiles.at;
import static io.flexserve.server.deploy.DeployFiles.list;
import static io.flexserve.server.deploy.DeployFiles.map;
import static io.flexserve.server.deploy.DeployFiles.read;
import static io.flexserve.server.deploy.DeployFiles.str;
import static io.flexserve.server.deploy.DeployFiles.yamlOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compose stack (flexserve + Prometheus + Grafana) is wired together, the dashboard is a
 * Grafana dashboard with the panels the deployment promises, and the images set the telemetry
 * opt-outs. YAML syntax of every file, the Kubernetes schemas, promtool and docker-compose checks
 * are in scripts/validate-deploy.sh.
 */
class ComposeStackTest {
  private static final Path DASHBOARD = DOCKER.resolve("grafana/dashboards/flexserve.json");

  @Test
  void everyYamlFile_parses() {
    List<Path> files = DeployFiles.files(DOCKER, ".yml", ".yaml");
    assertTrue(files.size() >= 10, "found only " + files);
    for (Path f : files) {
      assertFalse(DeployFiles.yaml(f).isEmpty(), f + " is empty");
    }
  }

  @Test
  void compose_runsFlexservePrometheusGrafana_withMountedConfigPresent() {
    Map<String, Object> compose = yamlOne(DOCKER.resolve("docker-compose.yml"));
    Map<String, Object> services = map(compose, "services");
    assertEquals(Set.of("flexserve", "prometheus", "grafana"), services.keySet());
    assertEquals("docker/Dockerfile", str(services, "flexserve.build.dockerfile"));
    assertEquals("..", str(services, "flexserve.build.context"));
    assertTrue(list(services, "flexserve.ports").contains("8080:8080"));
    Map<String, Object> env = map(services, "flexserve.environment");
    assertEquals("1", env.get("ORT_DISABLE_TELEMETRY"));
    assertEquals("true", env.get("OPT_OUT_TRACKING"));
    for (String service : services.keySet()) {
      Object vols = at(services, service + ".volumes");
      for (Object v : vols == null ? List.of() : (List<?>) vols) {
        String source = String.valueOf(v).split(":")[0];
        if (source.startsWith("./")) {
          assertTrue(Files.exists(DOCKER.resolve(source)), service + " mounts missing " + source);
        } else {
          assertTrue(
              map(compose, "volumes").containsKey(source),
              service + " uses undeclared volume " + source);
        }
      }
    }
    assertEquals(
        "service_healthy",
        str(services, "prometheus.depends_on.flexserve.condition"),
        "Prometheus waits for the image's HEALTHCHECK");
  }

  @Test
  void prometheus_scrapesFlexserveMetrics_atTheComposeServiceAddress() {
    Map<String, Object> prom = yamlOne(DOCKER.resolve("prometheus/prometheus.yml"));
    Object job =
        list(prom, "scrape_configs").stream()
            .filter(j -> "flexserve".equals(str(j, "job_name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no flexserve scrape job"));
    assertEquals("/metrics", str(job, "metrics_path"));
    assertTrue(list(job, "static_configs[0].targets").contains("flexserve:8080"));
  }

  @Test
  void grafana_provisionsThePrometheusDatasource_andTheDashboardFolder() throws Exception {
    Map<String, Object> ds =
        yamlOne(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml"));
    assertEquals("prometheus", str(ds, "datasources[0].type"));
    assertEquals(
        "http://prometheus:9090", str(ds, "datasources[0].url"), "the compose Prometheus service");
    Map<String, Object> providers =
        yamlOne(DOCKER.resolve("grafana/provisioning/dashboards/flexserve.yml"));
    String path = str(providers, "providers[0].options.path");
    List<Object> grafanaVolumes =
        list(yamlOne(DOCKER.resolve("docker-compose.yml")), "services.grafana.volumes");
    assertTrue(
        grafanaVolumes.contains("./grafana/dashboards:" + path + ":ro"),
        "dashboards mounted at " + path);
    JsonNode dash = dashboard();
    assertEquals(
        str(ds, "datasources[0].uid"),
        dash.get("templating").get("list").get(0).get("current").get("value").getStringValue(),
        "the dashboard's default datasource is the provisioned one");
  }

  @Test
  void dashboard_hasThePromisedPanels_withUniqueIdsAndQueries() throws Exception {
    JsonNode dash = dashboard();
    assertEquals("flexserve", dash.get("uid").getStringValue());
    Set<Integer> ids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    StringBuilder queries = new StringBuilder();
    for (JsonNode p : dash.get("panels").values()) {
      assertTrue(ids.add(p.get("id").getNumberValue().intValue()), "duplicate panel id");
      assertNotNull(p.get("gridPos"));
      titles.add(p.get("title").getStringValue());
      if (!"row".equals(p.get("type").getStringValue())) {
        assertTrue(p.get("targets").size() > 0, p.get("title").getStringValue() + " has no query");
        for (JsonNode t : p.get("targets").values()) {
          queries.append(t.get("expr").getStringValue()).append('\n');
        }
      }
    }
    for (String t :
        List.of(
            "Request rate by sub-network",
            "Request latency percentiles",
            "SLO attainment",
            "Sub-network share",
            "Queue depth",
            "Rejections (429) by reason",
            "TTFT (for LLM models)",
            "ITL (for LLM models)")) {
      assertTrue(titles.contains(t), "missing panel " + t);
    }
    String q = queries.toString();
    assertTrue(
        q.contains(
            "histogram_quantile(0.99, sum by (le) (rate(flexserve_request_latency_seconds_bucket"));
    assertTrue(
        Pattern.compile(
                "flexserve_deadline_total\\{[^}]*outcome=\"met\"[^}]*}.*\\) / sum\\(rate\\(flexserve_deadline_total\\{[^}]*outcome=~\"met\\|missed\"")
            .matcher(q)
            .find(),
        "SLO attainment is met / (met + missed)");
  }

  @Test
  void images_setTelemetryOptOuts_runNonRoot_andCheckReadiness() {
    for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
      String df = read(DOCKER.resolve(name));
      assertTrue(df.contains("ORT_DISABLE_TELEMETRY=1"), name);
      assertTrue(df.contains("OPT_OUT_TRACKING=true"), name);
      assertTrue(df.contains("USER 65532:65532"), name);
      assertTrue(df.contains("EXPOSE 8080"), name);
      assertTrue(
          Pattern.compile("HEALTHCHECK .*\\n?.*/v2/health/ready").matcher(df).find(),
          name + " HEALTHCHECK");
      assertTrue(df.contains("FROM maven:3.9-eclipse-temurin-17 AS build"), name);
    }
    assertTrue(read(DOCKER.resolve("Dockerfile.cuda")).contains("-Pcuda"));
    String pom = read(DOCKER.getParent().resolve("server/pom.xml"));
    int jib = pom.indexOf("<id>jib</id>");
    assertTrue(jib > 0, "server/pom.xml has a jib profile");
    String profile = pom.substring(jib);
    assertTrue(profile.contains("<ORT_DISABLE_TELEMETRY>1</ORT_DISABLE_TELEMETRY>"));
    assertTrue(profile.contains("<OPT_OUT_TRACKING>true</OPT_OUT_TRACKING>"));
    assertTrue(profile.contains("<FLEXSERVE_CACHE_DIR>/tmp/flexserve-cache</FLEXSERVE_CACHE_DIR>"));
  }

  static JsonNode dashboard() throws Exception {
    return JsonMapper.createDefault().readValue(read(DASHBOARD), JsonNode.class);
  }
}
