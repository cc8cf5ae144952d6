package io.delegatebroker.broker.vocabulary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.broker.vocabulary.RefusalReason.Charge;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Verifies that every refusal reason keeps the words operators and clients see: the {@code outcome} tag of
 * {@code broker_connect_attempts_total} (docs/METRICS.md), the contract's status and error code, and what the
 * failed-handshake limit charges it to.
 */
class RefusalReasonTest {

  private record Row(RefusalReason reason, String tag, int status, String code, Charge charge) {
  }

  private static final List<Row> TABLE = List.of(
      new Row(RefusalReason.UNKNOWN, "unknown", 401, "invalid_token", Charge.ADDRESS),
      new Row(RefusalReason.REVOKED, "revoked", 401, "invalid_token", Charge.TOKEN),
      new Row(RefusalReason.EXPIRED, "expired", 401, "invalid_token", Charge.TOKEN),
      new Row(RefusalReason.WRONG_ACCOUNT, "wrong_account", 401, "invalid_token", Charge.TOKEN),
      new Row(RefusalReason.MALFORMED, "malformed", 401, "invalid_token", Charge.ADDRESS),
      new Row(RefusalReason.BAD_REQUEST, "bad_request", 400, "bad_request", Charge.ADDRESS),
      new Row(RefusalReason.PROFILE_NOT_FOUND, "profile_not_found", 404, "profile_not_found", Charge.TOKEN),
      new Row(RefusalReason.DELEGATE_REJECTED, "delegate_rejected", 403, "delegate_rejected", Charge.TOKEN),
      new Row(RefusalReason.RATE_LIMITED, "rate_limited", 429, "rate_limited", Charge.NONE),
      new Row(RefusalReason.DRAINING, "draining", 503, "unavailable", Charge.NONE),
      new Row(RefusalReason.UNAVAILABLE, "unavailable", 503, "unavailable", Charge.NONE),
      new Row(RefusalReason.INTERNAL, "internal", 500, "internal", Charge.NONE));

  @Test
  void everyReasonKeepsItsTagStatusCodeAndCharge() {
    // GIVEN the table of docs/METRICS.md, in its order
    // THEN the enum holds exactly these reasons, each with its words
    assertEquals(TABLE.stream().map(Row::reason).toList(), Arrays.asList(RefusalReason.values()));
    for (Row row : TABLE) {
      assertEquals(row.tag(), row.reason().asTag());
      assertEquals(row.status(), row.reason().status(), row.tag());
      assertEquals(row.code(), row.reason().error().code(), row.tag());
      assertEquals(row.charge(), row.reason().charge(), row.tag());
      assertEquals(row.charge() != Charge.NONE, row.reason().countsTowardLimit(), row.tag());
    }
  }

  @Test
  void storeFailuresMapByTheirErrorCode() {
    // GIVEN failures of admission that carry no reason of their own, WHEN mapped THEN by their error code
    assertEquals(RefusalReason.UNAVAILABLE, RefusalReason.of(ErrorCode.UNAVAILABLE));
    assertEquals(RefusalReason.BAD_REQUEST, RefusalReason.of(ErrorCode.BAD_REQUEST));
    assertEquals(RefusalReason.BAD_REQUEST, RefusalReason.of(ErrorCode.HEADERS_TOO_LARGE));
    assertEquals(RefusalReason.INTERNAL, RefusalReason.of(ErrorCode.INTERNAL));
    assertEquals(RefusalReason.INTERNAL, RefusalReason.of(ErrorCode.CONFLICT));
  }
}
