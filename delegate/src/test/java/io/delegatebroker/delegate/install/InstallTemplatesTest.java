package io.delegatebroker.delegate.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.delegate.config.ConfigLoader;
import io.delegatebroker.delegate.config.DelegateConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Verifies that every install template, once the console filled in its placeholders, parses (YAML, JSON, shell) and
 * gives the delegate exactly the variables it reads, through the delegate's own configuration loader: a template
 * with a misspelt variable, a token not wired to the container or a broken document fails here.
 */
class InstallTemplatesTest {

  static final String ACCOUNT = "acc123";
  static final String TOKEN = "dt_templateTokenValue_0123456789";
  static final String MANAGER = "wss://broker.example.com:8443";
  static final String NAME = "k8s-east";

  @TempDir
  Path dir;

  /** Loads the variables as the delegate would, and checks the four placeholders arrived where they belong. */
  private static DelegateConfig assertConfigures(Map<String, String> env, String type) {
    DelegateConfig c = ConfigLoader.load(env, null);
    assertEquals(ACCOUNT, c.accountId());
    assertEquals(TOKEN, c.token());
    assertEquals("broker.example.com", c.manager().host());
    assertEquals(8443, c.manager().port());
    assertTrue(c.manager().tls());
    assertEquals(NAME, c.name());
    assertEquals(type, c.type());
    assertTrue(c.warnings().isEmpty(), "no deprecation or unknown-key line: " + c.warnings());
    return c;
  }

  private static String render(String template) {
    return Templates.render(template, ACCOUNT, TOKEN, MANAGER, NAME);
  }

  @Test
  void kubernetesStatefulSetReadsTheTokenFromItsSecret() {
    // GIVEN the rendered manifest: a Secret and a StatefulSet
    List<Map<String, Object>> docs = new ArrayList<>();
    new Yaml().loadAll(render("kubernetes/statefulset.yaml")).forEach(d -> docs.add(cast(d)));
    Map<String, Object> secret = docs.stream().filter(d -> "Secret".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> set = docs.stream().filter(d -> "StatefulSet".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> container = cast(list(cast(cast(cast(set.get("spec")).get("template")).get("spec"))
        .get("containers")).get(0));
    // WHEN the pod's environment is resolved as Kubernetes does (secretKeyRef against the Secret)
    Map<String, String> env = new HashMap<>();
    String secretName = String.valueOf(cast(secret.get("metadata")).get("name"));
    Map<String, Object> secretData = cast(secret.get("stringData"));
    for (Object o : list(container.get("env"))) {
      Map<String, Object> var = cast(o);
      if (var.containsKey("valueFrom")) {
        Map<String, Object> ref = cast(cast(var.get("valueFrom")).get("secretKeyRef"));
        assertEquals(secretName, ref.get("name"), "the token comes from the Secret of this manifest");
        env.put(String.valueOf(var.get("name")), String.valueOf(secretData.get(ref.get("key"))));
      } else {
        env.put(String.valueOf(var.get("name")), String.valueOf(var.get("value")));
      }
    }
    env.put("HOSTNAME", NAME + "-0"); // the pod name
    // THEN the delegate is configured, the token only through the Secret, the pod name as instance
    assertTrue(list(container.get("env")).stream().map(InstallTemplatesTest::cast)
        .noneMatch(v -> TOKEN.equals(v.get("value"))), "the token value is not inline in the StatefulSet");
    assertEquals(NAME + "-0", assertConfigures(env, "KUBERNETES").instance());
  }

  @Test
  void dockerRunPassesEveryVariable() {
    String script = render("docker/docker-run.sh");
    Map<String, String> env = new HashMap<>();
    Matcher m = Pattern.compile("-e\\s+([A-Z_]+)=(\"([^\"]*)\"|(\\S+))").matcher(script);
    while (m.find()) {
      env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
    }
    assertTrue(script.startsWith("#!/bin/bash"), "a bash script");
    assertConfigures(env, "DOCKER");
  }

  @Test
  void dockerComposeEnvironmentConfiguresTheDelegate() {
    Map<String, Object> doc = cast(new Yaml().load(render("docker/docker-compose.yaml")));
    Map<String, Object> service = cast(cast(doc.get("services")).values().iterator().next());
    Map<String, String> env = new HashMap<>();
    for (Object entry : list(service.get("environment"))) {
      String[] kv = String.valueOf(entry).split("=", 2);
      env.put(kv[0], kv[1]);
    }
    assertConfigures(env, "DOCKER");
  }

  @Test
  void ecsTaskDefinitionEnvironmentConfiguresTheDelegate() {
    JsonObject task = new JsonObject(render("ecs/task-definition.json"));
    JsonArray vars = task.getJsonArray("containerDefinitions").getJsonObject(0).getJsonArray("environment");
    Map<String, String> env = new HashMap<>();
    vars.forEach(v -> env.put(((JsonObject) v).getString("name"), ((JsonObject) v).getString("value")));
    assertConfigures(env, "ECS");
  }

  @Test
  void helmValuesUseTheDelegatesOwnKeys() {
    Path values = Templates.renderTo(dir, "helm/values.yaml", ACCOUNT, TOKEN, MANAGER, NAME);
    assertConfigures(Map.of("DELEGATE_CONFIG", values.toString()), "HELM");
  }

  @Test
  void shellConfigLoadsThroughTheDelegatesConfigLoader() {
    Path file = Templates.renderTo(dir, "shell/config-delegate.yaml", ACCOUNT, TOKEN, MANAGER, NAME);
    DelegateConfig c = ConfigLoader.load(Map.of("HOSTNAME", "build-host"), file);
    assertEquals(TOKEN, c.token());
    assertEquals("build-host", c.instance());
    assertConfigures(Map.of("DELEGATE_CONFIG", file.toString()), "SHELL_SCRIPT");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }
}
