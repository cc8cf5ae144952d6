package io.delegatebroker.delegate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the delegate needs to connect, as the product docs' installs configure it. Built by
 * {@link ConfigLoader}; {@link #toString()} never shows the token.
 *
 * @param instance null when no instance id could be found: the broker then uses the delegate name
 * @param caFile PEM file of the certificate authorities to trust for {@code wss://}; null means the JVM's own
 * @param reconnectBase first reconnect delay; doubled per failed attempt up to {@code reconnectMax}
 */
public record DelegateConfig(
    String accountId,
    String token,
    ManagerUrl manager,
    String name,
    String type,
    String profile,
    String instance,
    Path caFile,
    boolean runStartupScript,
    Duration reconnectBase,
    Duration reconnectMax,
    List<String> warnings) {

  /** The types the contract knows ({@code X-Delegate-Type}). */
  public static final List<String> TYPES = List.of("KUBERNETES", "DOCKER", "SHELL_SCRIPT", "ECS", "HELM");

  public Optional<Path> ca() {
    return Optional.ofNullable(caFile);
  }

  @Override
  public String toString() {
    return "account=" + accountId + " delegate=" + name + " instance=" + (instance == null ? "(delegate name)" : instance)
        + " type=" + type + " profile=" + profile + " manager=" + manager + (caFile == null ? "" : " ca=" + caFile);
  }
}
