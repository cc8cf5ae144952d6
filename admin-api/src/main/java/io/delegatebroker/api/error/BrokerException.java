package io.delegatebroker.api.error;

import io.vertx.core.json.JsonObject;

/**
 * A refusal the caller is meant to see: carries one {@link ErrorCode} and a one-sentence message for a
 * person. Domain code fails its futures with this; each transport turns it into a response in one place.
 * The message must never contain a secret.
 */
public class BrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final Integer retryAfterSeconds;

  public BrokerException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public BrokerException(ErrorCode code, String message, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public ErrorCode code() {
    return code;
  }

  /** Seconds for a {@code Retry-After} header, or null. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The contract's error body: {@code {"error":{"code","message"}}}. */
  public JsonObject toBody() {
    return body(code, getMessage());
  }

  public static JsonObject body(ErrorCode code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code.code()).put("message", message));
  }

  public static BrokerException badRequest(String message) {
    return new BrokerException(ErrorCode.BAD_REQUEST, message);
  }

  public static BrokerException notFound(String message) {
    return new BrokerException(ErrorCode.NOT_FOUND, message);
  }

  public static BrokerException conflict(String message) {
    return new BrokerException(ErrorCode.CONFLICT, message);
  }

  public static BrokerException unavailable(String message) {
    return new BrokerException(ErrorCode.UNAVAILABLE, message);
  }

  /** Maps any failure to a {@link BrokerException}; unknown failures become a generic 500 without detail. */
  public static BrokerException from(Throwable t) {
    if (t instanceof BrokerException be) {
      return be;
    }
    return new BrokerException(ErrorCode.INTERNAL, "The broker failed to handle the request.");
  }
}
