package io.delegatebroker.delegate.policy;

import io.delegatebroker.delegate.policy.Decision.Pace;
import java.util.Arrays;

/**
 * One rule per close code the manager sends (contract section 2): the action and the line a person reads. Codes
 * that end the delegate's right to connect exit (a reconnect could only be refused, or would fight another copy);
 * everything else reconnects.
 */
public enum CloseCodePolicy {
  TOKEN_REVOKED(4001, ExitCode.TOKEN_REVOKED,
      "token revoked: put a new token in DELEGATE_TOKEN and restart"),
  TOKEN_EXPIRED(4002, ExitCode.TOKEN_EXPIRED,
      "token expired: put a new token in DELEGATE_TOKEN and restart"),
  REJECTED(4003, ExitCode.REJECTED,
      "delegate rejected by an operator: the manager refuses this delegate name from now on; install a new delegate"
          + " under another name"),
  DELETED(4004, ExitCode.DELETED,
      "delegate deleted by an operator: stopping; remove it from your infrastructure, or start it again to register"
          + " anew"),
  REPLACED(4005, ExitCode.REPLACED,
      "replaced: another copy of this delegate instance connected; stopping so the two copies do not fight (give each"
          + " copy its own DELEGATE_INSTANCE)"),
  GOING_AWAY(1001, Pace.PROMPTLY,
      "the manager node is draining: reconnecting now, another node will take this delegate"),
  NORMAL(1000, Pace.BACKOFF, "the manager closed the connection: reconnecting with backoff"),
  LOST(1006, Pace.BACKOFF, "connection lost: reconnecting with backoff"),
  POLICY_VIOLATION(1008, Pace.BACKOFF,
      "the manager closed for a policy violation (a bug in this delegate): reconnecting with backoff"),
  TOO_BIG(1009, Pace.BACKOFF,
      "the manager closed because a message was too big (a bug in this delegate): reconnecting with backoff"),
  OTHER(0, Pace.BACKOFF, "connection closed: reconnecting with backoff");

  private final int code;
  private final ExitCode exit;
  private final Pace pace;
  private final String line;

  CloseCodePolicy(int code, ExitCode exit, String line) {
    this.code = code;
    this.exit = exit;
    this.pace = null;
    this.line = line;
  }

  CloseCodePolicy(int code, Pace pace, String line) {
    this.code = code;
    this.exit = null;
    this.pace = pace;
    this.line = line;
  }

  /** The rule for a close code; a missing code (null: the socket just went away) counts as 1006. */
  public static CloseCodePolicy of(Integer code) {
    int c = code == null ? 1006 : code;
    return Arrays.stream(values()).filter(r -> r.code == c).findFirst().orElse(OTHER);
  }

  /** The decision for this close, its line naming the code and the reason the manager gave. */
  public Decision decide(Integer closeCode, String reason) {
    String text = this.line + " [close " + (closeCode == null ? 1006 : closeCode)
        + (reason == null || reason.isEmpty() ? "" : " " + reason) + "]";
    return exit != null ? new Decision.Exit(exit, text) : new Decision.Reconnect(pace, text);
  }

  public int code() {
    return code;
  }

  public String line() {
    return line;
  }
}
