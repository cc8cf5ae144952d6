package io.delegatebroker.broker.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits failed handshakes: after {@code maxFailures} refusals within a window the key is answered 429 until the
 * window ends. There are two kinds of key, so that a valid token is never locked out by other clients' failures:
 * <ul>
 *   <li>a source <em>address</em>, for failures that prove nothing about the client (an unknown or malformed token,
 *       a malformed request): that is what guessing looks like;
 *   <li>an address and a <em>token hash</em>, for failures with a token the store knows (revoked, expired, of another
 *       account, a rejected delegate, a missing profile): a fleet retrying its revoked token behind a NAT address
 *       limits itself, not the new token of its neighbours.
 * </ul>
 * Successful handshakes are never counted. Memory is bounded: at most {@code maxKeys} windows are kept (Caffeine,
 * size-bounded, expiring after the window), so a flood of new addresses evicts old entries rather than growing the
 * heap.
 */
public final class FailedHandshakeLimiter {

  private final int maxFailures;
  private final long windowMillis;
  private final Cache<String, Window> windows;

  private static final class Window {
    final long startMillis = System.currentTimeMillis();
    final AtomicInteger failures = new AtomicInteger();
  }

  public FailedHandshakeLimiter(int maxFailures, Duration window, long maxKeys) {
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
    this.windows = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterWrite(window).build();
  }

  /** Seconds to wait when the address is over its limit, or 0 when it may try. */
  public int retryAfterSeconds(String address) {
    Window w = windows.getIfPresent(address);
    if (w == null || w.failures.get() < maxFailures) {
      return 0;
    }
    long left = w.startMillis + windowMillis - System.currentTimeMillis();
    return left <= 0 ? 0 : (int) Math.max(1, (left + 999) / 1000);
  }

  /** Seconds to wait when this token, from this address, is over its limit, or 0 when it may try. */
  public int retryAfterSeconds(String address, String tokenHash) {
    return retryAfterSeconds(pair(address, tokenHash));
  }

  /** A failure that says nothing about the client: counts against the address. */
  public void failed(String address) {
    windows.get(address, a -> new Window()).failures.incrementAndGet();
  }

  /** A failure with a token the store knows: counts against that token from that address only. */
  public void failed(String address, String tokenHash) {
    failed(pair(address, tokenHash));
  }

  private static String pair(String address, String tokenHash) {
    return address + '/' + tokenHash;
  }

  /** How many keys are tracked now (after pending evictions ran): never more than {@code maxKeys}. */
  public long trackedAddresses() {
    windows.cleanUp();
    return windows.estimatedSize();
  }
}
