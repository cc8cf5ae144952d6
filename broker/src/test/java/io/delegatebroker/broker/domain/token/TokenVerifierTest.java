package io.delegatebroker.broker.domain.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.Tombstones;
import io.delegatebroker.broker.store.memory.MemoryStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifies token verification on connect against the in-memory store, without a node: which tokens are refused and
 * why (for metrics and logs; the client always sees the same 401), what is cached, what {@link TokenVerifier#forget}
 * and the node's {@link Tombstones} change, and when a token counts as known-live without asking the store.
 */
@Timeout(10)
class TokenVerifierTest {

  private static final String ACC = "acc-1";

  private final MemoryStore store = new MemoryStore();
  private final Tombstones tombstones = new Tombstones();
  private final AtomicInteger lookups = new AtomicInteger();
  private final TokenVerifier verifier = new TokenVerifier(hash -> {
    lookups.incrementAndGet();
    return store.findTokenByHash(hash);
  }, tombstones);

  /** Stores a live token of the account (expiresAt null: it never expires) and returns its value. */
  private String token(String name, Instant expiresAt) {
    return stored(name, expiresAt, false);
  }

  /** Stores a token of the account that the store has as revoked, and returns its value. */
  private String revokedToken(String name) {
    return stored(name, null, true);
  }

  private String stored(String name, Instant expiresAt, boolean revoked) {
    String value = Secrets.newValue("dt_");
    TokenRecord t = new TokenRecord("tok-" + name, ACC, name, null, Secrets.hash(value), TokenStatus.ACTIVE,
        Instant.now().minusSeconds(60), expiresAt, null, null);
    await(store.insertToken(revoked ? t.withRevokedAt(Instant.now()) : t,
        new AuditEvent(ACC, Instant.now(), "root", "token.create", name)));
    return value;
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The reason (its tag) the verifier refused the value with, after checking the refusal is the contract's 401. */
  private String refusal(String accountId, String value) {
    Throwable failure;
    try {
      verifier.verify(accountId, value).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      throw new AssertionError("admitted");
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
    TokenVerifier.InvalidToken invalid = assertInstanceOf(TokenVerifier.InvalidToken.class, failure);
    assertEquals(ErrorCode.INVALID_TOKEN, invalid.code());
    assertEquals(401, invalid.code().status());
    assertEquals("The delegate token is not valid for this account.", invalid.getMessage(), "never says which");
    return invalid.reason().asTag();
  }

  static Stream<Arguments> malformedValues() {
    return Stream.of(Arguments.of((String) null), Arguments.of(""), Arguments.of("x".repeat(257)));
  }

  /** Verifies that a missing, empty or over-long value is malformed, refused without a store query. */
  @ParameterizedTest
  @MethodSource("malformedValues")
  void malformedValueIsRefusedWithoutAskingTheStore(String value) {
    assertEquals("malformed", refusal(ACC, value));
    assertEquals(0, lookups.get());
    assertFalse(verifier.knownLive(ACC, value));
  }

  /** Verifies each refusal reason the store's state leads to. */
  @Test
  void storedStateDecidesTheRefusalReason() {
    String revoked = revokedToken("revoked");
    String expired = token("expired", Instant.now().minusSeconds(1));
    String live = token("live", Instant.now().plus(Duration.ofHours(1)));

    assertEquals("unknown", refusal(ACC, Secrets.newValue("dt_")));
    assertEquals("revoked", refusal(ACC, revoked));
    assertEquals("expired", refusal(ACC, expired));
    assertEquals("wrong_account", refusal("acc-2", live));
  }

  /** Verifies that a live token (without or before its expiry) is admitted as the stored record. */
  @Test
  void liveTokenIsAdmitted() {
    String forever = token("forever", null);
    String later = token("later", Instant.now().plus(Duration.ofMinutes(5)));

    TokenRecord t = await(verifier.verify(ACC, forever));
    assertEquals("tok-forever", t.id());
    assertEquals("tok-later", await(verifier.verify(ACC, later)).id());
  }

  /** Verifies that what the store said is cached by hash: for a live token and for an unknown one alike. */
  @Test
  void answersAreCachedForKnownAndUnknownValues() {
    String live = token("live", null);
    String guess = Secrets.newValue("dt_");

    for (int i = 0; i < 3; i++) {
      await(verifier.verify(ACC, live));
      assertEquals("unknown", refusal(ACC, guess));
    }
    assertEquals(2, lookups.get(), "one store query per value");
  }

  /**
   * Verifies that an expiry passing while the token is cached is noticed at once: every use re-checks the clock, the
   * cached record is not trusted for it.
   */
  @Test
  void expiryIsCheckedOnEveryUseOfACachedToken() throws Exception {
    Instant expiresAt = Instant.now().plusMillis(300);
    String soon = token("soon", expiresAt);
    await(verifier.verify(ACC, soon));
    assertTrue(verifier.knownLive(ACC, soon));

    // the clock passing the expiry is the event here: wait for it, then use the token again
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis()) + 5);

    assertFalse(verifier.knownLive(ACC, soon));
    assertEquals("expired", refusal(ACC, soon));
    assertEquals(1, lookups.get(), "the cached record was enough to refuse it");
  }

  /** Verifies that a revocation in the store is seen once the cached entry is forgotten, and only then. */
  @Test
  void forgetMakesTheNextUseAskTheStore() {
    String value = token("t", null);
    await(verifier.verify(ACC, value));
    await(store.revokeToken(ACC, "t", new AuditEvent(ACC, Instant.now(), "root", "token.revoke", "t")));

    // the cache still holds the live record (a revocation reaches the node by command, which also marks a tombstone)
    assertEquals("tok-t", await(verifier.verify(ACC, value)).id());
    assertEquals(1, lookups.get());

    verifier.forget(Secrets.hash(value));

    assertEquals("revoked", refusal(ACC, value));
    assertEquals(2, lookups.get());
  }

  static Stream<Arguments> tombstoneReasons() {
    return Stream.of(Arguments.of(CloseReason.TOKEN_REVOKED, "revoked"),
        Arguments.of(CloseReason.TOKEN_EXPIRED, "expired"));
  }

  /**
   * Verifies that a token this node ended is refused even while the store (and the cache) still call it live, with
   * the reason it was ended for: the tombstone wins over any cached answer.
   */
  @ParameterizedTest
  @MethodSource("tombstoneReasons")
  void tokenEndedOnThisNodeIsRefusedDespiteTheCache(CloseReason ended, String reason) {
    String value = token("t", null);
    await(verifier.verify(ACC, value));
    assertTrue(verifier.knownLive(ACC, value));

    tombstones.endToken("tok-t", ended);

    assertEquals(reason, refusal(ACC, value));
    assertFalse(verifier.knownLive(ACC, value));
    assertEquals(1, lookups.get(), "no store query needed");
  }

  /** Verifies that known-live never asks the store: only a value verified live before, for its own account, is. */
  @Test
  void knownLiveIsOnlyWhatTheCacheAlreadyAdmits() {
    String value = token("t", null);
    String revoked = revokedToken("r");

    assertFalse(verifier.knownLive(ACC, value), "never verified here");
    assertEquals(0, lookups.get());

    await(verifier.verify(ACC, value));
    refusal(ACC, revoked);

    assertTrue(verifier.knownLive(ACC, value));
    assertFalse(verifier.knownLive("acc-2", value), "another account's");
    assertFalse(verifier.knownLive(ACC, revoked), "cached, but revoked");
    assertFalse(verifier.knownLive(ACC, Secrets.newValue("dt_")), "a guess");
    assertEquals(2, lookups.get());
  }
}
