package io.delegatebroker.delegate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.delegate.policy.Decision.Pace;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Verifies the close-code and refusal tables and the backoff's shape (the ITs check them over real sockets). */
class PolicyTest {

  @Test
  void everyTerminalCloseCodeExitsWithItsOwnStatus() {
    Set<Integer> statuses = new HashSet<>();
    for (int code : new int[] {4001, 4002, 4003, 4004, 4005}) {
      Decision.Exit exit = assertInstanceOf(Decision.Exit.class, CloseCodePolicy.of(code).decide(code, "r"));
      assertTrue(exit.code().status() != 0 && statuses.add(exit.code().status()), "distinct non-zero " + exit);
    }
    for (int code : new int[] {1000, 1006, 1008, 1009, 1011, 4999}) {
      assertEquals(Pace.BACKOFF, assertInstanceOf(Decision.Reconnect.class,
          CloseCodePolicy.of(code).decide(code, null)).pace());
    }
    assertEquals(Pace.PROMPTLY, ((Decision.Reconnect) CloseCodePolicy.of(1001).decide(1001, "going_away")).pace());
    assertEquals(CloseCodePolicy.LOST, CloseCodePolicy.of(null));
  }

  @Test
  void refusalsThatARetryCannotCureExitAndBusyOnesHonourRetryAfter() {
    Set<Integer> statuses = new HashSet<>();
    for (int status : new int[] {400, 401, 403, 404}) {
      Decision.Exit exit = assertInstanceOf(Decision.Exit.class, HandshakeRefusalPolicy.decide(status, null, null, "a"));
      assertTrue(statuses.add(exit.code().status()));
    }
    Decision.Reconnect busy = assertInstanceOf(Decision.Reconnect.class,
        HandshakeRefusalPolicy.decide(429, "7", null, "a"));
    assertEquals(Pace.RETRY_AFTER, busy.pace());
    assertEquals(Duration.ofSeconds(7), busy.retryAfter());
    assertEquals(Pace.BACKOFF, ((Decision.Reconnect) HandshakeRefusalPolicy.decide(503, null, null, "a")).pace());
    assertEquals(Pace.BACKOFF, ((Decision.Reconnect) HandshakeRefusalPolicy.decide(502, null, null, "a")).pace());
  }

  @Test
  void backoffDoublesWithJitterUpToItsCapAndNeverShrinks() {
    Backoff lowest = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800), () -> 0.0);
    Backoff highest = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800), () -> 0.999);
    long[] low = new long[6];
    long[] high = new long[6];
    for (int i = 0; i < 6; i++) {
      low[i] = lowest.backoff().toMillis();
      high[i] = highest.backoff().toMillis();
    }
    assertEquals(50, low[0]);
    assertEquals(400, low[5]);
    assertEquals(99, high[0]);
    assertEquals(799, high[5]);
    for (int i = 1; i < 6; i++) {
      assertTrue(low[i] >= high[i - 1] || high[i - 1] >= 799, "never shrinks: " + high[i - 1] + " -> " + low[i]);
    }
    Backoff random = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800));
    assertTrue(random.promptly().toMillis() <= 100, "prompt reconnect within one base step");
    assertTrue(random.retryAfter(Duration.ofSeconds(2)).toMillis() >= 2000);
    assertTrue(random.retryAfter(Duration.ofSeconds(2)).toMillis() <= 2200);
  }
}
