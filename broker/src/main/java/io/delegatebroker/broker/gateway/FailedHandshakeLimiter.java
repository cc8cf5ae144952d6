package io.delegatebroker.broker.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits failed handshakes per source address: after {@code maxFailures} refusals within a window the address is
 * answered 429 until the window ends. Successful handshakes are never counted, so legitimate delegates behind other
 * addresses are unaffected. Memory is bounded: at most {@code maxAddresses} windows are kept (Caffeine, size-bounded,
 * expiring after the window), so a flood of new addresses evicts old entries rather than growing the heap.
 */
public final class FailedHandshakeLimiter {

  private final int maxFailures;
  private final long windowMillis;
  private final Cache<String, Window> windows;

  private static final class Window {
    final long startMillis = System.currentTimeMillis();
    final AtomicInteger failures = new AtomicInteger();
  }

  public FailedHandshakeLimiter(int maxFailures, Duration window, long maxAddresses) {
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
    this.windows = Caffeine.newBuilder().maximumSize(maxAddresses).expireAfterWrite(window).build();
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

  public void failed(String address) {
    windows.get(address, a -> new Window()).failures.incrementAndGet();
  }

  /** How many addresses are tracked now (after pending evictions ran): never more than {@code maxAddresses}. */
  public long trackedAddresses() {
    windows.cleanUp();
    return windows.estimatedSize();
  }
}
