package io.delegatebroker.api.error;

/**
 * The contract's error codes and the HTTP status each one is answered with. This is the single
 * registry both listeners use: the delegate gateway for refused handshakes and the admin API for
 * refused calls.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNAUTHORIZED("unauthorized", 401),
  INVALID_TOKEN("invalid_token", 401),
  FORBIDDEN("forbidden", 403),
  DELEGATE_REJECTED("delegate_rejected", 403),
  NOT_FOUND("not_found", 404),
  PROFILE_NOT_FOUND("profile_not_found", 404),
  CONFLICT("conflict", 409),
  TOO_LARGE("too_large", 413),
  /** Request line over the listener's limit (the HTTP decoder refused it): same code, the status HTTP has for it. */
  URI_TOO_LONG("too_large", 414),
  /** Request headers over the listener's limit (16 KiB): same code, the status HTTP has for it. */
  HEADERS_TOO_LARGE("too_large", 431),
  RATE_LIMITED("rate_limited", 429),
  INTERNAL("internal", 500),
  UNAVAILABLE("unavailable", 503);

  private final String code;
  private final int status;

  ErrorCode(String code, int status) {
    this.code = code;
    this.status = status;
  }

  /** The value of {@code error.code} in the JSON body. */
  public String code() {
    return code;
  }

  /** The HTTP status the code is answered with. */
  public int status() {
    return status;
  }
}
