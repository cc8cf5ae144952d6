package io.delegatebroker.broker.vocabulary;

import io.delegatebroker.api.error.ErrorCode;

/**
 * Every reason a delegate handshake is refused for, with what each one means outside: the contract's error code (and
 * so the HTTP status) the client gets, the {@code outcome} tag of {@code broker_connect_attempts_total} and of the
 * refusal log line, and what it is charged to under the failed-handshake limit. A new reason is one constant here.
 * Token refusals all answer {@code invalid_token}: only the tag tells them apart, for operators.
 */
public enum RefusalReason {
  UNKNOWN("unknown", ErrorCode.INVALID_TOKEN, Charge.ADDRESS),
  REVOKED("revoked", ErrorCode.INVALID_TOKEN, Charge.TOKEN),
  EXPIRED("expired", ErrorCode.INVALID_TOKEN, Charge.TOKEN),
  WRONG_ACCOUNT("wrong_account", ErrorCode.INVALID_TOKEN, Charge.TOKEN),
  MALFORMED("malformed", ErrorCode.INVALID_TOKEN, Charge.ADDRESS),
  /** Not a handshake the broker can read; the status may be 414 or 431 instead of 400 (same code). */
  BAD_REQUEST("bad_request", ErrorCode.BAD_REQUEST, Charge.ADDRESS),
  PROFILE_NOT_FOUND("profile_not_found", ErrorCode.PROFILE_NOT_FOUND, Charge.TOKEN),
  DELEGATE_REJECTED("delegate_rejected", ErrorCode.DELEGATE_REJECTED, Charge.TOKEN),
  RATE_LIMITED("rate_limited", ErrorCode.RATE_LIMITED, Charge.NONE),
  DRAINING("draining", ErrorCode.UNAVAILABLE, Charge.NONE),
  UNAVAILABLE("unavailable", ErrorCode.UNAVAILABLE, Charge.NONE),
  /** A failure the broker did not expect; should stay at zero. */
  INTERNAL("internal", ErrorCode.INTERNAL, Charge.NONE);

  /** What a refusal counts against under the failed-handshake limit. */
  public enum Charge {
    /** Proves nothing about the client (what guessing looks like): counts against its address. */
    ADDRESS,
    /** A token the store knows: counts against that token from that address (the address when there is none). */
    TOKEN,
    /** Not the client's failure (already limited, node draining, store down): not counted. */
    NONE
  }

  private final String tag;
  private final ErrorCode error;
  private final Charge charge;

  RefusalReason(String tag, ErrorCode error, Charge charge) {
    this.tag = tag;
    this.error = error;
    this.charge = charge;
  }

  /** The metric tag and log word: the {@code outcome} of {@code broker_connect_attempts_total}. */
  public String asTag() {
    return tag;
  }

  /** The contract's error the client is answered with. */
  public ErrorCode error() {
    return error;
  }

  /** The HTTP status the client is answered with (a {@link #BAD_REQUEST} of oversized headers excepted). */
  public int status() {
    return error.status();
  }

  public Charge charge() {
    return charge;
  }

  /** Whether the refusal counts toward the failed-handshake limit at all. */
  public boolean countsTowardLimit() {
    return charge != Charge.NONE;
  }

  /**
   * The reason of a failure that carries none of its own (a store failure during admission, by its error code): an
   * unreachable store is {@link #UNAVAILABLE}, a value it cannot take {@link #BAD_REQUEST}, anything else internal.
   */
  public static RefusalReason of(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST, URI_TOO_LONG, HEADERS_TOO_LARGE -> BAD_REQUEST;
      case PROFILE_NOT_FOUND -> PROFILE_NOT_FOUND;
      case DELEGATE_REJECTED -> DELEGATE_REJECTED;
      case RATE_LIMITED -> RATE_LIMITED;
      case UNAVAILABLE -> UNAVAILABLE;
      default -> INTERNAL;
    };
  }
}
