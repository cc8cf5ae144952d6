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

  /** The headers a handshake is judged by; each may appear at most once. */
  private static final String[] IDENTITY_HEADERS = {"Authorization", "X-Account-Id", "X-Delegate-Name",
      "X-Delegate-Instance", "X-Delegate-Type", "X-Delegate-Profile"};

  public static HandshakeRequest parse(MultiMap headers) {
    // A repeated identity header is ambiguous (a proxy in front may have read the other copy): refuse it.
    for (String h : IDENTITY_HEADERS) {
      if (headers.getAll(h).size() > 1) {
        throw BrokerException.badRequest("Header '" + h + "' must appear once.");
      }
    }
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
    return "account=" + loggable(accountId) + " delegate=" + loggable(delegateName) + " instance=" + loggable(instance);
  }

  /**
   * The identifying headers of a request that could not be parsed, for its refusal's log line: account, delegate and
   * instance as sent (the delegate name standing in for a missing instance), {@code ?} when absent. Never the
   * Authorization header.
   */
  public static String describe(MultiMap headers) {
    String name = headers.get("X-Delegate-Name");
    String instance = headers.get("X-Delegate-Instance");
    return "account=" + loggable(headers.get("X-Account-Id")) + " delegate=" + loggable(name)
        + " instance=" + loggable(instance == null ? name : instance);
  }

  /**
   * A header value made safe for a log line: a valid name as is; anything else quoted, cut to 64 characters, with
   * every character outside printable ASCII shown as {@code ?}. A value shaped like one of our secrets (a token or
   * key sent in the wrong header) is masked.
   */
  static String loggable(String v) {
    if (v == null) {
      return "?";
    }
    if (SECRET_SHAPE.matcher(v).find()) {
      return "<secret-redacted>";
    }
    if (NAME.matcher(v).matches() && v.length() <= 128) {
      return v;
    }
    StringBuilder b = new StringBuilder(72).append('"');
    for (int i = 0; i < v.length(); i++) {
      if (i == 64) {
        b.append("...");
        break;
      }
      char c = v.charAt(i);
      b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    return b.append('"').toString();
  }

  /** What {@code Secrets.newValue} makes: a prefix and 43 URL-safe characters. */
  private static final Pattern SECRET_SHAPE = Pattern.compile("(dt|ak|root)_[A-Za-z0-9_-]{40,}");
}
