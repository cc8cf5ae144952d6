package io.delegatebroker.broker.operating;

import static io.delegatebroker.broker.operating.Manifests.at;
import static io.delegatebroker.broker.operating.Manifests.map;
import static io.delegatebroker.broker.operating.Manifests.maps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.KubernetesConfig;
import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Verifies the Kubernetes manifests and the Dockerfile against the broker itself: every manifest parses and is listed
 * by the kustomization; every environment variable of the StatefulSet is one {@link BrokerConfig} reads and the
 * variables together make a valid configuration whose ports are the container's; the Hazelcast ConfigMap loads
 * through {@link HazelcastConfigFactory} (the broker's own path) into Kubernetes discovery of the headless Service;
 * Services, probes, drain timing, disruption budget, network policy and scrape annotations fit the pods; the image's
 * user and ports are the manifests'.
 */
class KubernetesManifestsTest {

  final Manifests manifests = new Manifests();
  final Manifests.Doc statefulSet = manifests.one("StatefulSet");
  final Map<String, Object> podSpec = at(statefulSet.tree(), "spec", "template", "spec");
  final Map<String, Object> podLabels = at(statefulSet.tree(), "spec", "template", "metadata", "labels");
  final Map<String, Object> container = maps(podSpec, "containers").get(0);
  final Map<String, Integer> containerPorts = maps(container, "ports").stream()
      .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("containerPort")));

  /** Verifies that every manifest is a Kubernetes object with a name, and the kustomization lists every file. */
  @Test
  void everyManifestParsesAndIsListed() throws Exception {
    Set<String> files = new TreeSet<>();
    for (Manifests.Doc d : manifests.all()) {
      assertNotNull(d.tree().get("apiVersion"), d.file());
      assertNotNull(d.kind(), d.file());
      files.add(d.file());
      if (!"Kustomization".equals(d.kind())) {
        assertFalse(d.name().isBlank(), d.file());
      }
    }
    Manifests.Doc kustomization = manifests.one("Kustomization");
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) kustomization.tree().get("resources");
    Set<String> expected = new TreeSet<>(files);
    expected.remove(kustomization.file());
    assertEquals(expected, new TreeSet<>(resources));
    assertTrue(Set.of("StatefulSet", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy").stream()
        .allMatch(k -> !manifests.ofKind(k).isEmpty()));
  }

  /** Verifies the StatefulSet's environment against what the broker reads, and its ports against the result. */
  @Test
  void environmentIsWhatTheBrokerReadsAndPortsMatch() throws Exception {
    Map<String, String> env = podEnvironment();
    ReadRecorder recorder = new ReadRecorder(env);
    BrokerConfig config = BrokerConfig.fromEnv(recorder);
    Set<String> unread = new TreeSet<>(env.keySet());
    unread.removeAll(recorder.read);
    assertEquals(Set.of(), unread, "variables the broker never reads (it reads " + recorder.read + ")");

    assertEquals(containerPorts.get("delegate"), config.delegatePort());
    assertEquals(containerPorts.get("admin"), config.adminPort());
    assertEquals("0.0.0.0", config.host());
    assertFalse(config.dev(), "production pods do not run in dev mode");
    assertEquals("delegate-broker-0", config.nodeId(), "the pod name is the node id");
    // the admin key and database URL come from the Secret, never from plain values
    for (String secret : List.of("BROKER_ADMIN_KEY", "BROKER_PG_URL")) {
      Map<String, Object> var = envVar(secret);
      assertNotNull(at(var, "valueFrom", "secretKeyRef").get("key"), secret);
      assertFalse(var.containsKey("value"), secret);
    }
    // the Hazelcast file is the ConfigMap's key, mounted where the variable points
    Path configPath = Path.of(config.hazelcastConfig());
    Map<String, Object> mount = maps(container, "volumeMounts").stream()
        .filter(m -> configPath.getParent().toString().equals(m.get("mountPath"))).findFirst().orElseThrow();
    Map<String, Object> volume = maps(podSpec, "volumes").stream()
        .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
    String configMap = (String) map(volume, "configMap").get("name");
    assertTrue(map(manifests.named("ConfigMap", configMap).tree(), "data")
        .containsKey(configPath.getFileName().toString()));
  }

  /** Verifies that the ConfigMap's Hazelcast part loads through the broker's factory into Kubernetes discovery. */
  @Test
  void hazelcastConfigLoadsThroughTheBrokersFactory() throws Exception {
    Config hz = loadHazelcast();
    assertEquals(containerPorts.get("hazelcast"), hz.getNetworkConfig().getPort());
    assertFalse(hz.getNetworkConfig().isPortAutoIncrement());
    assertFalse(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    KubernetesConfig k8s = hz.getNetworkConfig().getJoin().getKubernetesConfig();
    assertTrue(k8s.isEnabled());
    // the DNS name is the headless Service's, in the kustomization's namespace
    Manifests.Doc headless = manifests.named("Service", (String) map(statefulSet.tree(), "spec").get("serviceName"));
    String namespace = (String) manifests.one("Kustomization").tree().get("namespace");
    assertEquals(headless.name() + "." + namespace + ".svc.cluster.local", k8s.getProperty("service-dns"));
    assertEquals("None", map(headless.tree(), "spec").get("clusterIP"));
    assertEquals(Boolean.TRUE, map(headless.tree(), "spec").get("publishNotReadyAddresses"),
        "members must find each other before they are ready (ready needs the cluster)");
    assertEquals(containerPorts.get("hazelcast"), maps(map(headless.tree(), "spec"), "ports").get(0).get("port"));
    // what the broker adds (its node id as a member attribute) is there, as on a running node
    assertEquals("delegate-broker-0", hz.getMemberAttributeConfig().getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE));
  }

  /** Verifies Services, probes and drain timing against the pods. */
  @Test
  void servicesProbesAndDrainFitThePods() throws Exception {
    Set<String> exposed = new TreeSet<>();
    for (Manifests.Doc service : manifests.ofKind("Service")) {
      Map<String, Object> spec = map(service.tree(), "spec");
      assertTrue(podLabels.entrySet().containsAll(map(spec, "selector").entrySet()), service.name() + " selects the pods");
      for (Map<String, Object> port : maps(spec, "ports")) {
        Object target = port.get("targetPort");
        assertTrue(containerPorts.containsKey(target), service.name() + " targets a named container port: " + target);
        assertEquals(containerPorts.get(target), port.get("port"), service.name() + " keeps the port number");
        exposed.add((String) target);
      }
    }
    assertEquals(containerPorts.keySet(), exposed, "a Service for delegates, one for the admin API, the headless one");

    assertEquals(Map.of("path", "/health/live", "port", "admin"), at(container, "livenessProbe", "httpGet"));
    assertEquals(Map.of("path", "/health/ready", "port", "admin"), at(container, "readinessProbe", "httpGet"));

    // preStop waits for the Services to stop routing here; the grace period covers it plus the drain (Hazelcast's
    // graceful leave, bounded by its property, plus closing sessions and Vert.x)
    @SuppressWarnings("unchecked")
    List<String> preStop = (List<String>) at(container, "lifecycle", "preStop", "exec").get("command");
    assertEquals("sleep", preStop.get(0));
    int wait = Integer.parseInt(preStop.get(1));
    int leave = Integer.parseInt(loadHazelcast().getProperty("hazelcast.graceful.shutdown.max.wait"));
    int grace = (Integer) podSpec.get("terminationGracePeriodSeconds");
    assertTrue(grace >= wait + leave + 10, "grace " + grace + " s for preStop " + wait + " s + leave " + leave + " s");

    Map<String, Object> pdb = map(manifests.one("PodDisruptionBudget").tree(), "spec");
    assertEquals(1, pdb.get("maxUnavailable"));
    assertTrue(podLabels.entrySet().containsAll(at(pdb, "selector", "matchLabels").entrySet()));

    Map<String, Object> annotations = at(statefulSet.tree(), "spec", "template", "metadata", "annotations");
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals(containerPorts.get("admin").toString(), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
  }

  /** Verifies that only broker pods may reach the cluster port, and delegates and admins reach theirs. */
  @Test
  void networkPolicyLetsOnlyBrokerPodsReachTheClusterPort() {
    Map<String, Object> spec = map(manifests.one("NetworkPolicy").tree(), "spec");
    assertEquals(podLabels, at(spec, "podSelector", "matchLabels"));
    boolean delegatesFromAnywhere = false;
    boolean adminReachable = false;
    boolean clusterReachable = false;
    for (Map<String, Object> rule : maps(spec, "ingress")) {
      List<Map<String, Object>> ports = maps(rule, "ports");
      Set<Object> allowed = ports.stream().map(p -> p.get("port")).collect(Collectors.toSet());
      List<Map<String, Object>> from = maps(rule, "from");
      boolean allPorts = ports.isEmpty();
      if (allPorts || allowed.contains("hazelcast") || allowed.contains(containerPorts.get("hazelcast"))) {
        assertEquals(1, from.size(), "the rule reaching the cluster port has one source: " + rule);
        assertEquals(Set.of("podSelector"), from.get(0).keySet(), "broker pods only: " + rule);
        assertEquals(podLabels, at(from.get(0), "podSelector", "matchLabels"));
        clusterReachable = true;
      }
      delegatesFromAnywhere |= from.isEmpty() && allowed.contains("delegate");
      adminReachable |= allowed.contains("admin") || allPorts && !from.isEmpty();
    }
    assertTrue(clusterReachable && delegatesFromAnywhere && adminReachable);
  }

  /** Verifies the Dockerfile the manifests run: a non-root user, its ports, a container-aware heap. */
  @Test
  void imageRunsAsNonRootWithTheManifestsPorts() {
    Dockerfile docker = Dockerfile.read();
    Map<String, Object> security = map(podSpec, "securityContext");
    assertEquals(Boolean.TRUE, security.get("runAsNonRoot"));
    String user = docker.last("USER").split(":")[0];
    assertFalse(Set.of("0", "root").contains(user));
    assertEquals(security.get("runAsUser").toString(), user, "the pod runs as the image's user");
    assertEquals(new TreeSet<>(containerPorts.values()), docker.exposedPorts());
    assertEquals(Set.of(BrokerConfig.DEFAULT_DELEGATE_PORT, BrokerConfig.DEFAULT_ADMIN_PORT,
        BrokerConfig.DEFAULT_CLUSTER_PORT), docker.exposedPorts(), "the broker's default ports");
    assertTrue(docker.javaOptions().contains("-XX:MaxRAMPercentage="), docker.javaOptions());
    assertTrue(docker.last("ENTRYPOINT").contains(docker.jarInImage()), "the entry point runs the copied jar");
    assertTrue(((String) container.get("image")).startsWith("delegate-broker:"));
  }

  private Config loadHazelcast() throws Exception {
    Map<String, String> env = podEnvironment();
    Path configPath = Path.of(env.get("BROKER_HAZELCAST_CONFIG"));
    String yaml = (String) map(manifests.named("ConfigMap", "delegate-broker-hazelcast").tree(), "data")
        .get(configPath.getFileName().toString());
    Path file = Files.createTempFile("hazelcast-", ".yaml");
    try {
      Files.writeString(file, yaml);
      return HazelcastConfigFactory.fromFile(file.toString(), BrokerConfig.fromEnv(env).nodeId(), Map.of());
    } finally {
      Files.delete(file);
    }
  }

  private Map<String, Object> envVar(String name) {
    return maps(container, "env").stream().filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no variable " + name));
  }

  /** The container's environment as the kubelet fills it, with stand-ins for Secret and field values. */
  private Map<String, String> podEnvironment() {
    Map<String, String> standIns = Map.of("admin-key", "k8s-test-root-key-0123456789",
        "pg-url", "postgresql://broker:secret@postgres:5432/broker",
        "metadata.name", "delegate-broker-0", "status.podIP", "10.1.2.3");
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> var : maps(container, "env")) {
      String name = (String) var.get("name");
      if (var.containsKey("value")) {
        env.put(name, var.get("value").toString());
      } else {
        Map<String, Object> from = map(var, "valueFrom");
        Map<String, Object> ref = from.containsKey("secretKeyRef") ? map(from, "secretKeyRef") : map(from, "fieldRef");
        String key = (String) (ref.containsKey("key") ? ref.get("key") : ref.get("fieldPath"));
        env.put(name, standIns.get(key));
      }
    }
    return env;
  }

  /** An environment that remembers which variables were asked for. */
  private static final class ReadRecorder extends HashMap<String, String> {
    final Set<String> read = new TreeSet<>();

    ReadRecorder(Map<String, String> env) {
      super(env);
    }

    @Override
    public String get(Object key) {
      read.add((String) key);
      return super.get(key);
    }

    @Override
    public String getOrDefault(Object key, String defaultValue) {
      read.add((String) key);
      return super.getOrDefault(key, defaultValue);
    }
  }
}
