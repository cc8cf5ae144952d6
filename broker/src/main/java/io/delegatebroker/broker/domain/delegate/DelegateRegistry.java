package io.delegatebroker.broker.domain.delegate;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.ReadThroughCache;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.ConnectRefused;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.vertx.core.Future;
import java.util.Optional;
import java.time.Duration;

/**
 * Registration, the first step of the delegate state machine: a delegate's first accepted connection registers it
 * ACTIVE, or PENDING_APPROVAL when its profile requires approval at that moment; later connections find it as it
 * is. Registrations are cached per account and name; approval, rejection and deletion drop the entry on every node.
 */
public final class DelegateRegistry {

  public static final Duration REFRESH = Duration.ofSeconds(30);
  public static final Duration EXPIRE = Duration.ofMinutes(30);

  private final BrokerStore store;
  /** Empty means the name is rejected: rejection is permanent, so it is cached like a registration. */
  private final ReadThroughCache<Key, Optional<Delegate>> cache;

  /** A registration request: who connects with what. */
  public record Key(String accountId, String name, String type, String profile, String tokenName, String project,
      boolean approvalRequired) {

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.accountId.equals(accountId) && k.name.equals(name);
    }

    @Override
    public int hashCode() {
      return accountId.hashCode() * 31 + name.hashCode();
    }
  }

  public DelegateRegistry(BrokerStore store) {
    this.store = store;
    // A refresh only re-reads: it must never register again a delegate that was deleted meanwhile.
    this.cache = new ReadThroughCache<>(200_000, REFRESH, EXPIRE, this::load, (key, old) -> old.isEmpty()
        ? Future.succeededFuture(old)
        : store.findDelegate(old.get().accountId(), old.get().id()).map(found -> found.isPresent() ? found : null));
  }

  private Future<Optional<Delegate>> load(Key k) {
    Delegate candidate = new Delegate(Secrets.newId(), k.accountId(), k.name(), k.type(), k.profile(), k.project(),
        k.approvalRequired() ? DelegateStatus.PENDING_APPROVAL : DelegateStatus.ACTIVE, k.tokenName(), Times.now());
    return store.registerDelegate(candidate).map(Optional::of).recover(t ->
        t instanceof BrokerStore.NameRejected
            ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(t));
  }

  /** The registered delegate of that name, registering it now if it is new. Fails with 403 when rejected. */
  public Future<Delegate> register(String accountId, String name, String type, Profile profile, TokenRecord token) {
    return cache.get(new Key(accountId, name, type, profile.name(), token.name(), token.project(),
        profile.approvalRequired())).compose(found -> found.map(Future::succeededFuture).orElseGet(() ->
            Future.failedFuture(new ConnectRefused(RefusalReason.DELEGATE_REJECTED, "This delegate was rejected."))));
  }

  public void forget(String accountId, String name) {
    cache.invalidate(new Key(accountId, name, null, null, null, null, false));
  }
}
