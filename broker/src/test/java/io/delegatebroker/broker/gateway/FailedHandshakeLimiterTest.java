package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Verifies the failed-handshake limiter on its own: per-address counting, its window, and bounded memory. */
@Timeout(30)
class FailedHandshakeLimiterTest {

  @Test
  void limitsOnlyTheAddressThatFailed() {
    // GIVEN a limit of 3 failures per minute
    FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(3, Duration.ofMinutes(1), 1000);

    // WHEN one address fails 3 times
    for (int i = 0; i < 3; i++) {
      assertEquals(0, limiter.retryAfterSeconds("10.0.0.1"), "under the limit after " + i + " failures");
      limiter.failed("10.0.0.1");
    }

    // THEN it waits out the rest of the window, and no other address is affected
    int retry = limiter.retryAfterSeconds("10.0.0.1");
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.2"));
  }

  @Test
  void anAddressMayTryAgainWhenItsWindowEnds() {
    // GIVEN a short window and an address over its limit
    FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(1, Duration.ofMillis(300), 1000);
    limiter.failed("10.0.0.1");
    assertTrue(limiter.retryAfterSeconds("10.0.0.1") > 0);

    // THEN it is let through again once the window is over
    Await.until("the window ends", 10, () -> limiter.retryAfterSeconds("10.0.0.1") == 0);
  }

  @Test
  void memoryIsBoundedUnderAFloodOfAddresses() {
    // GIVEN a limiter that tracks at most 100 addresses
    FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(30, Duration.ofMinutes(1), 100);

    // WHEN 50,000 different addresses each fail once
    for (int i = 0; i < 50_000; i++) {
      limiter.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
    }

    // THEN at most 100 are remembered
    long tracked = limiter.trackedAddresses();
    assertTrue(tracked <= 100, "tracked " + tracked);

    // AND an address that keeps failing is still limited after the flood
    for (int i = 0; i < 30; i++) {
      limiter.failed("192.0.2.1");
    }
    assertTrue(limiter.retryAfterSeconds("192.0.2.1") > 0);
    assertTrue(limiter.trackedAddresses() <= 100);
  }

  @Test
  void failuresOfAKnownTokenLimitThatTokenFromThatAddressOnly() {
    // GIVEN a limit of 3 failures per minute
    FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(3, Duration.ofMinutes(1), 1000);

    // WHEN one address fails 3 times with the same known (revoked) token
    for (int i = 0; i < 3; i++) {
      limiter.failed("10.0.0.1", "hash-old");
    }

    // THEN that token is limited from that address, and neither the address nor another token of it is
    assertTrue(limiter.retryAfterSeconds("10.0.0.1", "hash-old") > 0);
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.1"));
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.1", "hash-new"));
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.2", "hash-old"));
  }
}
