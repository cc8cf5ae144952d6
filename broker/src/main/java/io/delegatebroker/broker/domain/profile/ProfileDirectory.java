package io.delegatebroker.broker.domain.profile;

import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.ReadThroughCache;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * Profiles as the connect path needs them, cached briefly. Changes made through this node drop the entry at once;
 * changes made through another node are seen within {@link #REFRESH} (the command bus also drops them cluster-wide).
 */
public final class ProfileDirectory {

  public static final Duration REFRESH = Duration.ofSeconds(5);
  public static final Duration EXPIRE = Duration.ofMinutes(30);

  private final ReadThroughCache<String, Optional<Profile>> cache;

  public ProfileDirectory(BrokerStore store) {
    this.cache = new ReadThroughCache<>(50_000, REFRESH, EXPIRE, key -> {
      int slash = key.indexOf('/');
      return store.findProfile(key.substring(0, slash), key.substring(slash + 1));
    });
  }

  public Future<Optional<Profile>> find(String accountId, String name) {
    return cache.get(accountId + "/" + name);
  }

  public void forget(String accountId, String name) {
    cache.invalidate(accountId + "/" + name);
  }
}
