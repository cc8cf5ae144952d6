package io.delegatebroker.broker.domain.token;

import io.delegatebroker.broker.domain.ConnectRefused;
import io.delegatebroker.broker.domain.ReadThroughCache;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.Tombstones;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies a delegate's token on connect without a database query each time. What the store said is cached
 * by the value's hash; every use re-checks expiry against the clock and the token against {@link Tombstones}, so a
 * cached entry can never admit a token after this node learned of its revocation, and an expired token is refused
 * at once. Revocation also drops the entry ({@link #forget}). Unknown hashes are cached too (values are random, so a
 * hash unknown now stays unknown).
 */
public final class TokenVerifier {

  /** How long what the store said is trusted before it is asked again (revocations arrive by command sooner). */
  public static final Duration REFRESH = Duration.ofSeconds(60);
  /** How long an entry may be served while the store cannot be asked (a database outage). */
  public static final Duration EXPIRE = Duration.ofMinutes(30);

  private final ReadThroughCache<String, Optional<TokenRecord>> cache;
  private final Tombstones tombstones;

  public TokenVerifier(BrokerStore store, Tombstones tombstones) {
    this(store::findTokenByHash, tombstones);
  }

  /** @param lookup the store's token query by hash (wrapped by the node to count the queries) */
  public TokenVerifier(Function<String, Future<Optional<TokenRecord>>> lookup, Tombstones tombstones) {
    this(lookup, tombstones, BrokerLimits.DEFAULT_TOKEN_CACHE_ENTRIES);
  }

  /** @param cacheEntries tokens whose store answer is kept; the least recently used are dropped */
  public TokenVerifier(Function<String, Future<Optional<TokenRecord>>> lookup, Tombstones tombstones,
      int cacheEntries) {
    this.tombstones = tombstones;
    this.cache = new ReadThroughCache<>(cacheEntries, REFRESH, EXPIRE, lookup);
  }

  /**
   * A token refused, with why ({@code UNKNOWN}, {@code REVOKED}, {@code EXPIRED}, {@code MALFORMED} or
   * {@code WRONG_ACCOUNT}, for metrics and logs only); the client only ever sees {@code invalid_token}.
   */
  public static final class InvalidToken extends ConnectRefused {
    private static final long serialVersionUID = 1L;

    InvalidToken(RefusalReason reason) {
      super(reason, "The delegate token is not valid for this account.");
    }
  }

  /** Succeeds with the token when the value is a live token of the account; fails with {@link InvalidToken}. */
  public Future<TokenRecord> verify(String accountId, String value) {
    if (value == null || value.isEmpty() || value.length() > 256) {
      return Future.failedFuture(new InvalidToken(RefusalReason.MALFORMED));
    }
    return cache.get(Secrets.hash(value)).compose(found -> check(accountId, found));
  }

  /**
   * Whether this node already knows, without asking the store, that the value is a live token of the account: it is
   * cached, and {@link #verify} would admit it. Lets a valid delegate through an address that is rate-limited for
   * guessing, at no cost per guess.
   */
  public boolean knownLive(String accountId, String value) {
    if (value == null || value.isEmpty() || value.length() > 256) {
      return false;
    }
    Optional<TokenRecord> cached = cache.getIfPresent(Secrets.hash(value));
    return cached != null && check(accountId, cached).succeeded();
  }

  private Future<TokenRecord> check(String accountId, Optional<TokenRecord> found) {
    if (found.isEmpty()) {
      return Future.failedFuture(new InvalidToken(RefusalReason.UNKNOWN));
    }
    TokenRecord t = found.get();
    if (!t.accountId().equals(accountId)) {
      return Future.failedFuture(new InvalidToken(RefusalReason.WRONG_ACCOUNT));
    }
    if (t.revoked()) {
      return Future.failedFuture(new InvalidToken(RefusalReason.REVOKED));
    }
    // A token ended on this node is marked with why: expiry (by the expiry timer) or revocation (by broadcast).
    CloseReason ended = tombstones.token(t.id());
    if (ended != null) {
      return Future.failedFuture(
          new InvalidToken(ended == CloseReason.TOKEN_EXPIRED ? RefusalReason.EXPIRED : RefusalReason.REVOKED));
    }
    if (t.expiredAt(Instant.now())) {
      return Future.failedFuture(new InvalidToken(RefusalReason.EXPIRED));
    }
    return Future.succeededFuture(t);
  }

  /** Drops what is cached for the token with this hash. */
  public void forget(String hash) {
    cache.invalidate(hash);
  }
}
