package io.delegatebroker.broker.domain;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Function;

/**
 * A bounded, expiring read-through cache (Caffeine) whose loads are Vert.x futures. Concurrent misses of one
 * key share one load; failed loads are not cached; results are delivered on the caller's context.
 */
public final class ReadThroughCache<K, V> {

  private final AsyncLoadingCache<K, V> cache;

  public ReadThroughCache(long maxSize, Duration ttl, Function<K, Future<V>> loader) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxSize)
        .expireAfterWrite(ttl)
        .buildAsync((key, executor) -> loader.apply(key).toCompletionStage().toCompletableFuture());
  }

  public Future<V> get(K key) {
    Context ctx = Vertx.currentContext();
    var stage = cache.get(key);
    return ctx == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, ctx);
  }

  public void invalidate(K key) {
    cache.synchronous().invalidate(key);
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
