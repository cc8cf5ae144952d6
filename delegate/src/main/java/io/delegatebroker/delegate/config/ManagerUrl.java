package io.delegatebroker.delegate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The manager's base URL as the installs give it ({@code MANAGER_HOST_AND_PORT}): {@code ws://}, {@code wss://},
 * {@code http://} or {@code https://}, host, optional port and path. The http schemes mean their WebSocket twins.
 */
public record ManagerUrl(boolean tls, String host, int port, String connectPath) {

  /** The contract's connect endpoint, appended to whatever path the base URL has. */
  public static final String CONNECT_PATH = "/v1/delegates/connect";

  public static ManagerUrl parse(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException("MANAGER_HOST_AND_PORT is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = switch (scheme) {
      case "ws", "http" -> false;
      case "wss", "https" -> true;
      default -> throw new ConfigException(
          "MANAGER_HOST_AND_PORT must start with ws://, wss://, http:// or https://, not '" + scheme + "'");
    };
    if (uri.getHost() == null) {
      throw new ConfigException("MANAGER_HOST_AND_PORT has no host: " + text);
    }
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    String base = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return new ManagerUrl(tls, uri.getHost(), port, base + CONNECT_PATH);
  }

  @Override
  public String toString() {
    return (tls ? "wss://" : "ws://") + host + ":" + port + connectPath;
  }
}
