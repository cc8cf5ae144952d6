package io.delegatebroker.delegate.policy;

import io.delegatebroker.delegate.policy.Decision.Pace;
import java.time.Duration;

/**
 * What to do when the manager refuses the WebSocket upgrade with an HTTP status (contract section 2): refusals that
 * a retry cannot cure exit with a line saying what to fix; 429 and 503 wait as long as {@code Retry-After} says;
 * anything else (a proxy's 502, say) backs off.
 */
public final class HandshakeRefusalPolicy {

  /** Never wait longer than this, whatever a (misconfigured) proxy says. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private HandshakeRefusalPolicy() {
  }

  /**
   * @param retryAfter the {@code Retry-After} header (seconds), or null
   * @param message the error body's message, or null
   */
  public static Decision decide(int status, String retryAfter, String message, String accountId) {
    String said = message == null ? "" : " (manager: " + message + ")";
    return switch (status) {
      case 401 -> new Decision.Exit(ExitCode.TOKEN_REFUSED, "token refused (HTTP 401): it is unknown, revoked, expired"
          + " or not of account " + accountId + "; put a valid token in DELEGATE_TOKEN and restart");
      case 403 -> new Decision.Exit(ExitCode.NAME_REJECTED, "delegate name rejected (HTTP 403): an operator rejected"
          + " this delegate; install a new delegate under another DELEGATE_NAME" + said);
      case 404 -> new Decision.Exit(ExitCode.PROFILE_NOT_FOUND, "profile not found (HTTP 404): DELEGATE_PROFILE names"
          + " no profile of account " + accountId + said);
      case 400 -> new Decision.Exit(ExitCode.BAD_REQUEST, "connect request refused as malformed (HTTP 400): check"
          + " ACCOUNT_ID, DELEGATE_NAME, DELEGATE_INSTANCE and DELEGATE_TYPE" + said);
      case 429, 503 -> retryAfter(status, retryAfter, said);
      default -> new Decision.Reconnect(Pace.BACKOFF, "connect refused (HTTP " + status + "): reconnecting with backoff"
          + said);
    };
  }

  private static Decision retryAfter(int status, String header, String said) {
    String what = status == 429 ? "rate limited (HTTP 429)" : "manager unavailable (HTTP 503)";
    Duration wait = parseSeconds(header);
    if (wait == null) {
      return new Decision.Reconnect(Pace.BACKOFF, what + ", no Retry-After: reconnecting with backoff" + said);
    }
    return new Decision.Reconnect(Pace.RETRY_AFTER, what + ": reconnecting after Retry-After " + wait.toSeconds()
        + " s" + said, wait);
  }

  /** Retry-After in seconds (the HTTP-date form is not used by the manager and falls back to backoff). */
  static Duration parseSeconds(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      if (seconds < 0) {
        return null;
      }
      Duration d = Duration.ofSeconds(seconds);
      return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
