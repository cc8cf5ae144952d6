package io.delegatebroker.broker.session;

/**
 * Every reason the broker closes a delegate session, with the contract's WebSocket close code and reason
 * text, and the short cause name used in metrics and logs. The one registry of close codes.
 */
public enum CloseReason {
  TOKEN_REVOKED(4001, "token_revoked", "revoked"),
  TOKEN_EXPIRED(4002, "token_expired", "expired"),
  DELEGATE_REJECTED(4003, "delegate_rejected", "rejected"),
  DELEGATE_DELETED(4004, "delegate_deleted", "deleted"),
  REPLACED(4005, "replaced", "replaced"),
  GOING_AWAY(1001, "going_away", "drain"),
  POLICY_VIOLATION(1008, "policy_violation", "policy"),
  MESSAGE_TOO_BIG(1009, "message_too_big", "too_big"),
  /** Not in the contract's table: a silent connection is closed normally, with this reason text. */
  IDLE(1000, "idle_timeout", "idle");

  private final short code;
  private final String text;
  private final String cause;

  CloseReason(int code, String text, String cause) {
    this.code = (short) code;
    this.text = text;
    this.cause = cause;
  }

  public short code() {
    return code;
  }

  public String text() {
    return text;
  }

  /** The cause label of metrics and log lines. */
  public String cause() {
    return cause;
  }
}
