package io.delegatebroker.broker.gateway;

import io.delegatebroker.api.error.BrokerException;
import io.vertx.core.MultiMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated headers of a delegate's connect request (contract section 2). Parsing fails with 400
 * {@code bad_request} naming the header; nothing here touches the token beyond taking it out of its header.
 */
public record HandshakeRequest(String token, String accountId, String delegateName, String instance, String type,
    String profile) {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  static final Set<String> TYPES = Set.of("KUBERNETES", "DOCKER", "SHELL_SCRIPT", "ECS", "HELM");
  private static final String SCHEME = "Delegate ";

  public static HandshakeRequest parse(MultiMap headers) {
    String auth = headers.get("Authorization");
    if (auth == null || !auth.startsWith(SCHEME) || auth.length() == SCHEME.length()) {
      throw BrokerException.badRequest("Header 'Authorization' must be 'Delegate <token>'.");
    }
    String account = headers.get("X-Account-Id");
    if (account == null || !NAME.matcher(account).matches()) {
      throw BrokerException.badRequest("Header 'X-Account-Id' is missing or malformed.");
    }
    String name = required(headers, "X-Delegate-Name");
    String instance = optional(headers, "X-Delegate-Instance", name);
    String type = headers.get("X-Delegate-Type");
    if (type == null) {
      type = "SHELL_SCRIPT";
    } else if (!TYPES.contains(type)) {
      throw BrokerException.badRequest("Header 'X-Delegate-Type' must be one of " + TYPES + ".");
    }
    String profile = optional(headers, "X-Delegate-Profile", "primary");
    return new HandshakeRequest(auth.substring(SCHEME.length()).trim(), account, name, instance, type, profile);
  }

  private static String required(MultiMap headers, String header) {
    String v = headers.get(header);
    if (v == null || !NAME.matcher(v).matches()) {
      throw BrokerException.badRequest("Header '" + header + "' is missing or does not match [A-Za-z0-9._-]{1,128}.");
    }
    return v;
  }

  private static String optional(MultiMap headers, String header, String fallback) {
    String v = headers.get(header);
    if (v == null) {
      return fallback;
    }
    if (!NAME.matcher(v).matches()) {
      throw BrokerException.badRequest("Header '" + header + "' does not match [A-Za-z0-9._-]{1,128}.");
    }
    return v;
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "account=" + accountId + " delegate=" + delegateName + " instance=" + instance;
  }
}
