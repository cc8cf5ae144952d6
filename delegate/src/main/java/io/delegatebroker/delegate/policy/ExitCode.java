package io.delegatebroker.delegate.policy;

/**
 * The delegate's process exit status, one per terminal cause, so an orchestrator (or a person reading
 * {@code kubectl get pods} / {@code docker ps -a}) can tell why it stopped without the log.
 */
public enum ExitCode {
  /** Stopped on request (SIGTERM, Ctrl-C): the session was closed normally. */
  STOPPED(0, "stopped on request"),
  /** A required setting is missing or malformed. */
  CONFIG(2, "configuration error"),
  TOKEN_REVOKED(10, "token revoked (close 4001)"),
  TOKEN_EXPIRED(11, "token expired (close 4002)"),
  REJECTED(12, "delegate rejected (close 4003)"),
  DELETED(13, "delegate deleted (close 4004)"),
  REPLACED(14, "replaced by another copy of this instance (close 4005)"),
  TOKEN_REFUSED(20, "token refused at connect (HTTP 401)"),
  NAME_REJECTED(21, "delegate name rejected at connect (HTTP 403)"),
  PROFILE_NOT_FOUND(22, "profile not found at connect (HTTP 404)"),
  BAD_REQUEST(23, "connect request refused as malformed (HTTP 400)");

  private final int status;
  private final String meaning;

  ExitCode(int status, String meaning) {
    this.status = status;
    this.meaning = meaning;
  }

  public int status() {
    return status;
  }

  public String meaning() {
    return meaning;
  }
}
