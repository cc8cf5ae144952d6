package io.delegatebroker.broker.domain;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded read-through cache (Caffeine) whose loads are Vert.x futures. Concurrent misses of one key share one
 * load; failed loads are not cached; results are delivered on the caller's context. An entry older than
 * {@code refreshAfter} is served while it is reloaded in the background; when the reload fails (the store is down)
 * the old value stays, until {@code expireAfter}. That is what keeps known delegates connecting through a database
 * outage.
 */
public final class ReadThroughCache<K, V> {

  /**
   * Caffeine reports every failed asynchronous load on {@code System.Logger} (java.util.logging here), one stderr
   * line each, outside the broker's log format. Failed loads are expected here (a rejected delegate, a store outage
   * where every miss fails) and each is already answered and logged by its caller, so only Caffeine's severe messages
   * are kept (set on the package: the messages come from several of its classes). The strong reference keeps
   * java.util.logging from forgetting the level.
   */
  private static final Logger CAFFEINE_LOG = quietCaffeine();

  private static Logger quietCaffeine() {
    Logger log = Logger.getLogger(Caffeine.class.getPackageName());
    log.setLevel(Level.SEVERE);
    return log;
  }

  private final AsyncLoadingCache<K, V> cache;

  /**
   * @param reloader how to refresh an entry given its old value; a null result drops the entry
   */
  public ReadThroughCache(long maxSize, Duration refreshAfter, Duration expireAfter, Function<K, Future<V>> loader,
      BiFunction<K, V, Future<V>> reloader) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxSize)
        .refreshAfterWrite(refreshAfter)
        .expireAfterWrite(expireAfter)
        .buildAsync(new AsyncCacheLoader<K, V>() {
          @Override
          public CompletableFuture<? extends V> asyncLoad(K key, Executor executor) {
            return loader.apply(key).toCompletionStage().toCompletableFuture();
          }

          @Override
          public CompletableFuture<? extends V> asyncReload(K key, V oldValue, Executor executor) {
            return reloader.apply(key, oldValue).toCompletionStage().toCompletableFuture();
          }
        });
  }

  public ReadThroughCache(long maxSize, Duration refreshAfter, Duration expireAfter, Function<K, Future<V>> loader) {
    this(maxSize, refreshAfter, expireAfter, loader, (k, old) -> loader.apply(k));
  }

  public Future<V> get(K key) {
    Context ctx = Vertx.currentContext();
    var stage = cache.get(key);
    return ctx == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, ctx);
  }

  /** The value cached for the key, or null when none is (or its load is still running); never loads. */
  public V getIfPresent(K key) {
    var stage = cache.getIfPresent(key);
    return stage == null || !stage.isDone() || stage.isCompletedExceptionally() ? null : stage.getNow(null);
  }

  public void invalidate(K key) {
    cache.synchronous().invalidate(key);
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }
}
