package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.vertx.core.MultiMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifies, without a socket, how a connect request's headers are judged (contract section 2): which are required,
 * what each may hold, the defaults of the optional ones, and that every malformed header is a 400 {@code bad_request}
 * naming it. The token is only taken out of its header here; whether it is valid (401) is the verifier's to say.
 */
class HandshakeRequestTest {

  private static final String TOKEN = "dt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  private static final String LONGEST = "n".repeat(128);

  /** A complete, valid request with every optional header left out. */
  private static MultiMap valid() {
    return MultiMap.caseInsensitiveMultiMap()
        .set("Authorization", "Delegate " + TOKEN)
        .set("X-Account-Id", "acc-1")
        .set("X-Delegate-Name", "worker");
  }

  private static MultiMap with(String header, String value) {
    MultiMap h = valid();
    if (value == null) {
      h.remove(header);
    } else {
      h.set(header, value);
    }
    return h;
  }

  private static BrokerException refused(MultiMap headers) {
    return assertThrows(BrokerException.class, () -> HandshakeRequest.parse(headers));
  }

  /** Verifies that a request with only the required headers is accepted with the contract's defaults. */
  @Test
  void optionalHeadersTakeTheContractsDefaults() {
    HandshakeRequest r = HandshakeRequest.parse(valid());

    assertEquals(TOKEN, r.token());
    assertEquals("acc-1", r.accountId());
    assertEquals("worker", r.delegateName());
    assertEquals("worker", r.instance(), "the instance defaults to the delegate name");
    assertEquals("SHELL_SCRIPT", r.type());
    assertEquals("primary", r.profile());
  }

  /** Verifies that every optional header, when sent and valid, is taken as sent; header names are case-insensitive. */
  @Test
  void optionalHeadersAreTakenAsSent() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap()
        .set("authorization", "Delegate " + TOKEN)
        .set("x-account-id", "acc-1")
        .set("X-DELEGATE-NAME", "worker")
        .set("X-Delegate-Instance", "pod-7.zone_a")
        .set("X-Delegate-Type", "KUBERNETES")
        .set("X-Delegate-Profile", "gpu");

    HandshakeRequest r = HandshakeRequest.parse(h);

    assertEquals(new HandshakeRequest(TOKEN, "acc-1", "worker", "pod-7.zone_a", "KUBERNETES", "gpu"), r);
  }

  /** Every type the contract lists is accepted. */
  @ParameterizedTest
  @CsvSource({"KUBERNETES", "DOCKER", "SHELL_SCRIPT", "ECS", "HELM"})
  void everyContractTypeIsAccepted(String type) {
    assertEquals(type, HandshakeRequest.parse(with("X-Delegate-Type", type)).type());
  }

  /** Values at the edge of {@code [A-Za-z0-9._-]{1,128}} are accepted in every name-shaped header. */
  @ParameterizedTest
  @CsvSource({"X-Account-Id", "X-Delegate-Name", "X-Delegate-Instance", "X-Delegate-Profile"})
  void namesOfOneTo128AllowedCharactersAreAccepted(String header) {
    for (String v : new String[] {"a", LONGEST, "A.b_c-9"}) {
      assertDoesNotThrow(() -> HandshakeRequest.parse(with(header, v)), header + ": " + v);
    }
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // header, value (null: left out), why
        Arguments.of("Authorization", null, "missing"),
        Arguments.of("Authorization", "", "blank"),
        Arguments.of("Authorization", "Bearer " + TOKEN, "another scheme"),
        Arguments.of("Authorization", "delegate " + TOKEN, "the scheme is case-sensitive"),
        Arguments.of("Authorization", "Delegate", "the scheme without a token"),
        Arguments.of("Authorization", "Delegate ", "the scheme and a space, no token"),
        Arguments.of("Authorization", TOKEN, "a bare token"),
        Arguments.of("X-Account-Id", null, "missing"),
        Arguments.of("X-Account-Id", "", "blank"),
        Arguments.of("X-Account-Id", "acc 1", "a space"),
        Arguments.of("X-Account-Id", "n".repeat(129), "129 characters"),
        Arguments.of("X-Delegate-Name", null, "missing"),
        Arguments.of("X-Delegate-Name", "", "blank"),
        Arguments.of("X-Delegate-Name", "wörker", "non-ASCII"),
        Arguments.of("X-Delegate-Name", "a/b", "a slash"),
        Arguments.of("X-Delegate-Name", "n".repeat(129), "129 characters"),
        Arguments.of("X-Delegate-Instance", "", "blank (not the same as left out)"),
        Arguments.of("X-Delegate-Instance", "pod 1", "a space"),
        Arguments.of("X-Delegate-Instance", "n".repeat(129), "129 characters"),
        Arguments.of("X-Delegate-Type", "", "blank"),
        Arguments.of("X-Delegate-Type", "docker", "types are upper case"),
        Arguments.of("X-Delegate-Type", "VM", "not a contract type"),
        Arguments.of("X-Delegate-Profile", "", "blank"),
        Arguments.of("X-Delegate-Profile", "g p u", "spaces"),
        Arguments.of("X-Delegate-Profile", "n".repeat(129), "129 characters"));
  }

  /** Verifies that each malformed or missing header is refused with 400 bad_request, and the message names it. */
  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("badRequests")
  void malformedHeaderIsABadRequestNamingIt(String header, String value, String why) {
    BrokerException e = refused(with(header, value));

    assertEquals(ErrorCode.BAD_REQUEST, e.code(), why);
    assertEquals(400, e.code().status());
    assertTrue(e.getMessage().contains("'" + header + "'"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), "the token is never in a message");
  }

  /** Verifies that an identity header sent twice is refused, even when both copies are valid and equal. */
  @ParameterizedTest
  @CsvSource({"Authorization", "X-Account-Id", "X-Delegate-Name", "X-Delegate-Instance", "X-Delegate-Type",
      "X-Delegate-Profile"})
  void repeatedIdentityHeaderIsABadRequest(String header) {
    MultiMap h = valid().set("X-Delegate-Instance", "i-1").set("X-Delegate-Type", "HELM")
        .set("X-Delegate-Profile", "p");
    h.add(header, h.get(header));

    BrokerException e = refused(h);

    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("Header '" + header + "' must appear once.", e.getMessage());
  }

  /**
   * Verifies that a token made only of white space passes parsing as an empty token: the header is well-formed, so
   * the answer is the verifier's 401 {@code invalid_token} (malformed), not a 400 that would tell it apart.
   */
  @Test
  void whiteSpaceTokenIsLeftToTheVerifier() {
    assertEquals("", HandshakeRequest.parse(with("Authorization", "Delegate    ")).token());
    assertEquals(TOKEN, HandshakeRequest.parse(with("Authorization", "Delegate  " + TOKEN + " ")).token());
  }

  /** Headers other than the identity headers are not judged here. */
  @Test
  void otherHeadersAreIgnored() {
    MultiMap h = valid().add("X-Forwarded-For", "10.0.0.1").add("X-Forwarded-For", "10.0.0.2").set("X-Other", "");
    assertEquals("worker", HandshakeRequest.parse(h).delegateName());
  }

  static Stream<Arguments> loggableValues() {
    return Stream.of(
        Arguments.of(null, "?"),
        Arguments.of("worker-1", "worker-1"),
        Arguments.of("", "\"\""),
        Arguments.of("a b", "\"a b\""),
        Arguments.of("tab\there", "\"tab?here\""),
        Arguments.of("quote\"back\\slash", "\"quote?back?slash\""),
        Arguments.of("x".repeat(70) + " ", "\"" + "x".repeat(64) + "...\""),
        Arguments.of(TOKEN, "<secret-redacted>"),
        Arguments.of("root_" + "k".repeat(40), "<secret-redacted>"));
  }

  /** Verifies how a header value appears in a log line: names as is, others quoted and cut, secrets masked. */
  @ParameterizedTest
  @MethodSource("loggableValues")
  void headerValuesAreMadeSafeForTheLog(String value, String logged) {
    assertEquals(logged, HandshakeRequest.loggable(value));
  }

  /** Verifies that neither a parsed request nor an unparsable one's description ever shows the token. */
  @Test
  void logLinesNeverShowTheToken() {
    HandshakeRequest r = HandshakeRequest.parse(with("X-Delegate-Instance", "i-1"));
    assertEquals("account=acc-1 delegate=worker instance=i-1", r.toString());

    MultiMap unparsable = with("X-Account-Id", null);
    assertEquals("account=? delegate=worker instance=worker", HandshakeRequest.describe(unparsable));
    MultiMap tokenInTheWrongHeader = with("X-Delegate-Instance", TOKEN);
    assertEquals("account=acc-1 delegate=worker instance=<secret-redacted>",
        HandshakeRequest.describe(tokenInTheWrongHeader));
    assertFalse(HandshakeRequest.describe(valid()).contains(TOKEN));
  }
}
