package io.delegatebroker.broker.gateway;

import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import java.util.function.BiPredicate;

/**
 * The failed-handshake limit applied to one handshake, so that it never locks out a valid token (see
 * {@link FailedHandshakeLimiter} for the two kinds of key). An address limited for guessing is answered 429 without
 * any store query, unless the token it presents is one this node already knows to be live (cached), which costs
 * nothing either; a token limited from this address is answered 429 whatever the address did.
 */
public final class HandshakeThrottle {

  private final FailedHandshakeLimiter limiter;
  private final BiPredicate<String, String> knownLive;

  /** @param knownLive (account, token value) → the token is cached as live; must never query the store */
  public HandshakeThrottle(FailedHandshakeLimiter limiter, BiPredicate<String, String> knownLive) {
    this.limiter = limiter;
    this.knownLive = knownLive;
  }

  /** Seconds to wait for a request whose headers could not be read as a handshake, or 0. */
  public int retryAfter(String address) {
    return limiter.retryAfterSeconds(address);
  }

  /** Seconds to wait before this handshake is even verified, or 0 to verify it. */
  public int retryAfter(String address, HandshakeRequest hs) {
    int byAddress = limiter.retryAfterSeconds(address);
    if (byAddress > 0 && !knownLive.test(hs.accountId(), hs.token())) {
      return byAddress;
    }
    return limiter.retryAfterSeconds(address, Secrets.hash(hs.token()));
  }

  /** Counts a refusal as its reason's {@link RefusalReason.Charge} says; others (429, 503) are not failures. */
  public void failed(String address, HandshakeRequest hs, RefusalReason reason) {
    switch (reason.charge()) {
      case ADDRESS -> limiter.failed(address);
      case TOKEN -> {
        if (hs == null) {
          limiter.failed(address);
        } else {
          limiter.failed(address, Secrets.hash(hs.token()));
        }
      }
      case NONE -> {
      }
    }
  }
}
