package io.flexserve.server.deploy;

import static io.flexserve.server.deploy.DeployFiles.at;
import static io.flexserve.server.deploy.DeployFiles.list;
import static io.flexserve.server.deploy.DeployFiles.map;
import static io.flexserve.server.deploy.DeployFiles.only;
import static io.flexserve.server.deploy.DeployFiles.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.deploy.DeployFiles.Doc;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Structural checks of docker/k8s: required fields per kind and the references between objects
 * (selectors, the HPA's target and metric, volumes, the KServe runtime and its InferenceService).
 * Built-in kinds are also checked against Kubernetes' JSON schemas by scripts/validate-deploy.sh;
 * KServe kinds have no schema package on the registries the build can reach, so their spec fields
 * are checked here against the KServe API types (pkg/apis/serving/v1alpha1/servingruntime_types.go,
 * v1beta1 predictor types).
 */
class KubernetesManifestsTest {
  private static final Set<String> KNOWN_KINDS =
      Set.of(
          "Deployment",
          "Service",
          "HorizontalPodAutoscaler",
          "PodDisruptionBudget",
          "PersistentVolumeClaim",
          "ConfigMap",
          "ServingRuntime",
          "InferenceService");
  private static final Map<String, String> API_VERSIONS =
      Map.of(
          "Deployment",
          "apps/v1",
          "Service",
          "v1",
          "HorizontalPodAutoscaler",
          "autoscaling/v2",
          "PodDisruptionBudget",
          "policy/v1",
          "PersistentVolumeClaim",
          "v1",
          "ConfigMap",
          "v1",
          "ServingRuntime",
          "serving.kserve.io/v1alpha1",
          "InferenceService",
          "serving.kserve.io/v1beta1");

  /**
   * ServingRuntimeSpec's JSON fields, including the inlined ServingRuntimePodSpec (KServe 0.11 to
   * 0.15).
   */
  private static final Set<String> SERVING_RUNTIME_SPEC_FIELDS =
      Set.of(
          "supportedModelFormats",
          "multiModel",
          "disabled",
          "protocolVersions",
          "workerSpec",
          "containers",
          "volumes",
          "nodeSelector",
          "affinity",
          "tolerations",
          "labels",
          "annotations",
          "imagePullSecrets",
          "hostIPC",
          "grpcEndpoint",
          "grpcDataEndpoint",
          "httpDataEndpoint",
          "replicas",
          "storageHelper",
          "builtInAdapter");

  private final List<Doc> docs = DeployFiles.kubernetesObjects();

  @Test
  void everyObject_hasApiVersionKindAndName_ofAKnownKind() {
    assertFalse(docs.isEmpty());
    for (Doc d : docs) {
      assertTrue(
          KNOWN_KINDS.contains(d.kind()), d + ": no checks for this kind; add them to this test");
      assertEquals(API_VERSIONS.get(d.kind()), str(d.root(), "apiVersion"), d + ": apiVersion");
      assertNotNull(d.name(), d + ": metadata.name");
      assertTrue(
          d.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), d + ": name is not a DNS label");
    }
    Map<String, Long> names =
        docs.stream()
            .collect(Collectors.groupingBy(d -> d.kind() + "/" + d.name(), Collectors.counting()));
    names.forEach((k, n) -> assertEquals(1L, n, "duplicate object " + k));
  }

  @Test
  void deployment_probesHealthEndpoints_runsNonRoot_andMountsModelRepository() {
    Doc dep = only(docs, "Deployment");
    Map<String, Object> pod = map(dep.root(), "spec.template");
    Map<String, Object> selector = map(dep.root(), "spec.selector.matchLabels");
    assertTrue(
        map(pod, "metadata.labels").entrySet().containsAll(selector.entrySet()),
        "selector must match the pod labels");

    assertNotNull(at(pod, "spec.terminationGracePeriodSeconds"), "terminationGracePeriodSeconds");
    assertEquals(Boolean.TRUE, at(pod, "spec.securityContext.runAsNonRoot"));
    assertEquals(65532, at(pod, "spec.securityContext.runAsUser"), "the images' user");

    Map<String, Object> c = map(pod, "spec.containers[0]");
    assertNotNull(c.get("image"));
    assertEquals("/v2/health/live", str(c, "livenessProbe.httpGet.path"));
    assertEquals("/v2/health/ready", str(c, "readinessProbe.httpGet.path"));
    assertEquals("/v2/health/ready", str(c, "startupProbe.httpGet.path"));
    int startupBudget =
        (Integer) at(c, "startupProbe.periodSeconds")
            * (Integer) at(c, "startupProbe.failureThreshold");
    assertTrue(
        startupBudget >= 300,
        "startup probe allows only " + startupBudget + " s for the first model conversion");
    assertEquals(Boolean.FALSE, at(c, "securityContext.allowPrivilegeEscalation"));
    assertNotNull(at(c, "resources.requests.cpu"));
    assertNotNull(at(c, "resources.requests.memory"));
    assertNotNull(at(c, "resources.limits.memory"));

    Map<String, String> env = env(c);
    assertTelemetryOff(env, dep.toString());
    Set<String> portNames =
        list(c, "ports").stream().map(p -> str(p, "name")).collect(Collectors.toSet());
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertTrue(
          portNames.contains(str(c, probe + ".httpGet.port")),
          probe + " port must name a container port");
    }

    Set<String> volumes =
        list(pod, "spec.volumes").stream().map(v -> str(v, "name")).collect(Collectors.toSet());
    Map<String, String> mounts = new HashMap<>();
    for (Object m : list(c, "volumeMounts")) {
      assertTrue(
          volumes.contains(str(m, "name")), "volumeMount " + str(m, "name") + " has no volume");
      mounts.put(str(m, "mountPath"), str(m, "name"));
    }
    assertTrue(
        mounts.containsKey(env.get("FLEXSERVE_MODEL_DIR")),
        "FLEXSERVE_MODEL_DIR must be a mounted volume");
    assertTrue(
        mounts.containsKey(env.get("FLEXSERVE_CACHE_DIR")),
        "FLEXSERVE_CACHE_DIR must be a mounted volume");
    if (Boolean.TRUE.equals(at(c, "securityContext.readOnlyRootFilesystem"))) {
      assertTrue(
          mounts.containsKey("/tmp"), "read-only root: ONNX Runtime and DJL need a writable /tmp");
    }
    String claim =
        list(pod, "spec.volumes").stream()
            .map(v -> str(v, "persistentVolumeClaim.claimName"))
            .filter(n -> n != null)
            .findFirst()
            .orElseThrow();
    assertEquals(claim, only(docs, "PersistentVolumeClaim").name(), "model volume claim");
  }

  @Test
  void service_selectsTheDeploymentsPods_onANamedPort() {
    Doc dep = only(docs, "Deployment");
    Doc svc = only(docs, "Service");
    Map<String, Object> labels = map(dep.root(), "spec.template.metadata.labels");
    assertTrue(
        labels.entrySet().containsAll(map(svc.root(), "spec.selector").entrySet()), "selector");
    Set<String> portNames =
        list(dep.root(), "spec.template.spec.containers[0].ports").stream()
            .map(p -> str(p, "name"))
            .collect(Collectors.toSet());
    for (Object p : list(svc.root(), "spec.ports")) {
      assertNotNull(at(p, "port"));
      assertTrue(portNames.contains(str(p, "targetPort")), "targetPort " + str(p, "targetPort"));
    }
  }

  @Test
  void hpa_scalesTheDeployment_onQueueDepthServedByTheAdapter() {
    Doc hpa = only(docs, "HorizontalPodAutoscaler");
    Doc dep = only(docs, "Deployment");
    assertEquals("apps/v1", str(hpa.root(), "spec.scaleTargetRef.apiVersion"));
    assertEquals("Deployment", str(hpa.root(), "spec.scaleTargetRef.kind"));
    assertEquals(dep.name(), str(hpa.root(), "spec.scaleTargetRef.name"));
    int min = (Integer) at(hpa.root(), "spec.minReplicas");
    int max = (Integer) at(hpa.root(), "spec.maxReplicas");
    assertTrue(1 <= min && min <= max, "replica bounds");

    Set<String> adapterMetrics =
        adapterRules().stream().map(r -> str(r, "name.as")).collect(Collectors.toSet());
    boolean queueDepth = false;
    for (Object m : list(hpa.root(), "spec.metrics")) {
      String type = str(m, "type");
      assertTrue(
          Set.of("Pods", "Resource", "Object", "External", "ContainerResource").contains(type),
          type);
      String sub = Character.toLowerCase(type.charAt(0)) + type.substring(1);
      assertNotNull(at(m, sub), "metric of type " + type + " needs ." + sub);
      String targetType = str(m, sub + ".target.type");
      assertTrue(
          Set.of("Utilization", "Value", "AverageValue").contains(targetType),
          "target.type " + targetType);
      if (type.equals("Pods")) {
        String name = str(m, "pods.metric.name");
        assertTrue(
            adapterMetrics.contains(name),
            "HPA metric " + name + " is not exposed by the adapter rules");
        assertEquals("AverageValue", targetType, "Pods metrics take AverageValue");
        queueDepth |= name.equals("flexserve_queue_depth");
      }
    }
    assertTrue(queueDepth, "the HPA scales on flexserve_queue_depth");
  }

  @Test
  void adapterRules_mapNamespaceAndPod_andHaveQueries() {
    List<Map<String, Object>> rules = adapterRules();
    assertFalse(rules.isEmpty());
    for (Map<String, Object> r : rules) {
      assertTrue(str(r, "seriesQuery").startsWith("flexserve_"), "seriesQuery");
      assertEquals("namespace", str(r, "resources.overrides.namespace.resource"));
      assertEquals("pod", str(r, "resources.overrides.pod.resource"));
      assertNotNull(str(r, "name.as"));
      assertTrue(
          str(r, "metricsQuery").contains("<<.Series>>")
              && str(r, "metricsQuery").contains("<<.LabelMatchers>>"));
    }
  }

  @Test
  void pdb_selectsTheDeployment_withOneBound() {
    Doc pdb = only(docs, "PodDisruptionBudget");
    Map<String, Object> labels =
        map(only(docs, "Deployment").root(), "spec.template.metadata.labels");
    assertTrue(
        labels.entrySet().containsAll(map(pdb.root(), "spec.selector.matchLabels").entrySet()));
    assertTrue(
        at(pdb.root(), "spec.minAvailable") == null ^ at(pdb.root(), "spec.maxUnavailable") == null,
        "exactly one of minAvailable / maxUnavailable");
  }

  @Test
  void pvc_hasAccessModesAndSize() {
    Doc pvc = only(docs, "PersistentVolumeClaim");
    assertFalse(list(pvc.root(), "spec.accessModes").isEmpty());
    assertNotNull(at(pvc.root(), "spec.resources.requests.storage"));
  }

  @Test
  void servingRuntime_speaksV2_onKnownFieldsOnly_withTelemetryOff() {
    Doc rt = only(docs, "ServingRuntime");
    Map<String, Object> spec = map(rt.root(), "spec");
    for (String key : spec.keySet()) {
      assertTrue(
          SERVING_RUNTIME_SPEC_FIELDS.contains(key),
          rt + ": ServingRuntimeSpec has no field " + key);
    }
    assertTrue(list(spec, "protocolVersions").contains("v2"));
    for (Object f : list(spec, "supportedModelFormats")) {
      assertNotNull(str(f, "name"));
      assertTrue(
          Set.of("name", "version", "autoSelect", "priority").containsAll(((Map<?, ?>) f).keySet()),
          "format fields");
    }
    Map<String, Object> c = map(spec, "containers[0]");
    assertEquals(
        "kserve-container",
        c.get("name"),
        "KServe expects the serving container to be kserve-container");
    assertNotNull(c.get("image"));
    assertEquals(8080, at(c, "ports[0].containerPort"));
    Map<String, String> env = env(c);
    assertTelemetryOff(env, rt.toString());
    assertEquals(
        "/mnt/models", env.get("FLEXSERVE_MODEL_DIR"), "KServe mounts the model at /mnt/models");
    assertEquals("/v2/health/ready", str(c, "readinessProbe.httpGet.path"));
    assertEquals(Boolean.TRUE, at(c, "securityContext.runAsNonRoot"));
  }

  @Test
  void inferenceService_usesTheRuntime_aSupportedFormat_andV2() {
    Doc isvc = only(docs, "InferenceService");
    Doc rt = only(docs, "ServingRuntime");
    Map<String, Object> model = map(isvc.root(), "spec.predictor.model");
    assertEquals(rt.name(), model.get("runtime"));
    Set<String> formats =
        list(rt.root(), "spec.supportedModelFormats").stream()
            .map(f -> str(f, "name"))
            .collect(Collectors.toSet());
    assertTrue(
        formats.contains(str(model, "modelFormat.name")),
        "modelFormat must be one the runtime supports");
    assertTrue(Set.of("name", "version").containsAll(map(model, "modelFormat").keySet()));
    assertEquals("v2", model.get("protocolVersion"));
    assertTrue(str(model, "storageUri").matches("(pvc|s3|gs|https?|hf)://.+"), "storageUri");
  }

  private List<Map<String, Object>> adapterRules() {
    Doc cm =
        docs.stream()
            .filter(
                d ->
                    "ConfigMap".equals(d.kind())
                        && at(d.root(), "data") instanceof Map<?, ?> m
                        && m.containsKey("config.yaml"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no prometheus-adapter ConfigMap"));
    Object cfg =
        new Yaml(new SafeConstructor(new LoaderOptions()))
            .load((String) map(cm.root(), "data").get("config.yaml"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules = (List<Map<String, Object>>) (List<?>) list(cfg, "rules");
    return rules;
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    for (Object e : list(container, "env")) {
      env.put(str(e, "name"), str(e, "value"));
    }
    return env;
  }

  static void assertTelemetryOff(Map<String, String> env, String where) {
    assertEquals("1", env.get("ORT_DISABLE_TELEMETRY"), where + ": ORT_DISABLE_TELEMETRY=1");
    assertEquals("true", env.get("OPT_OUT_TRACKING"), where + ": OPT_OUT_TRACKING=true");
  }
}
