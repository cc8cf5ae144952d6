package io.delegatebroker.broker.operating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.NodeProcess;
import io.delegatebroker.broker.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies what the image would run, as far as it can be without a Docker engine (none here): the jar the Dockerfile
 * copies is the one the build makes, and a node started with the image's JVM options comes up and drains on SIGTERM
 * with exit 0, as Kubernetes stops a pod. Runs after {@code package} (failsafe), when the jar exists.
 */
@Timeout(120)
class DockerfileIT {

  /** Verifies that the Dockerfile copies the built jar. */
  @Test
  void dockerfileCopiesTheBuiltJar() throws Exception {
    Path copied = RepoFiles.root().resolve(Dockerfile.read().jarInRepository());
    assertTrue(Files.isRegularFile(copied), "the Dockerfile copies " + copied + ", which the build must make");
    assertTrue(Files.isSameFile(copied, NodeProcess.jar().toAbsolutePath()), "the jar the tests run: " + NodeProcess.jar());
  }

  /** Verifies that the JVM accepts the image's options, the node starts with them and drains on SIGTERM. */
  @Test
  void nodeStartsWithTheImagesJvmOptionsAndDrainsOnSigterm() {
    Map<String, String> env = TestNode.env(null);
    String options = Dockerfile.read().javaOptions();
    env.put("JAVA_TOOL_OPTIONS", options);
    try (NodeProcess node = NodeProcess.start(env)) {
      assertTrue(node.output().contains("Picked up JAVA_TOOL_OPTIONS: " + options), node.output());
      node.signal("TERM");
      assertEquals(0, node.awaitExit(Duration.ofSeconds(60)), node.output());
    }
  }
}
