package io.delegatebroker.broker.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.broker.testkit.Await;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies what keeps known delegates connecting through a store outage: an entry due for refresh is served while it
 * reloads, a failed reload keeps it, a miss is not cached when it fails, and a reloader may drop an entry.
 */
@Timeout(30)
class ReadThroughCacheTest {

  /** A store that answers the current value, or fails like an unreachable database. */
  static final class FakeStore {
    final AtomicBoolean up = new AtomicBoolean(true);
    final AtomicReference<String> value = new AtomicReference<>("v1");
    final AtomicInteger calls = new AtomicInteger();

    Future<String> load(String key) {
      calls.incrementAndGet();
      return up.get() ? Future.succeededFuture(value.get() + ":" + key)
          : Future.failedFuture(BrokerException.unavailable("The store cannot be reached right now."));
    }
  }

  @Test
  void aFailedRefreshKeepsTheEntryAndALaterOneReplacesIt() {
    // GIVEN an entry loaded while the store was up, refreshed after 50 ms
    FakeStore store = new FakeStore();
    ReadThroughCache<String, String> cache = new ReadThroughCache<>(100, Duration.ofMillis(50), Duration.ofMinutes(10),
        store::load);
    assertEquals("v1:k", Await.result(cache.get("k")));

    // WHEN the store goes down and the entry is due for refresh
    store.up.set(false);
    int before = store.calls.get();
    Await.until("a refresh was attempted against the down store", 10, () -> {
      assertEquals("v1:k", Await.result(cache.get("k")), "the old entry is served while the store is down");
      return store.calls.get() > before + 1;
    });

    // THEN the entry is still served
    assertEquals("v1:k", Await.result(cache.get("k")));
    // AND a key never loaded fails, and that failure is not cached
    assertThrows(BrokerException.class, () -> Await.result(cache.get("other")));

    // WHEN the store is back with a new value THEN a refresh picks it up, and the other key loads
    store.value.set("v2");
    store.up.set(true);
    Await.until("the refreshed value is served", 10, () -> Await.result(cache.get("k")).equals("v2:k"));
    assertEquals("v2:other", Await.result(cache.get("other")));
  }

  @Test
  void aReloaderAnsweringNullDropsTheEntry() {
    // GIVEN an entry whose reloader finds it gone (a deleted delegate)
    FakeStore store = new FakeStore();
    AtomicBoolean gone = new AtomicBoolean(false);
    ReadThroughCache<String, String> cache = new ReadThroughCache<>(100, Duration.ofMillis(50), Duration.ofMinutes(10),
        store::load, (k, old) -> gone.get() ? Future.succeededFuture(null) : Future.succeededFuture(old));
    assertEquals("v1:k", Await.result(cache.get("k")));

    // WHEN the reloader reports it gone THEN the next miss loads it anew
    store.value.set("v2");
    gone.set(true);
    Await.until("the entry was dropped and loaded anew", 10, () -> Await.result(cache.get("k")).equals("v2:k"));
  }
}
