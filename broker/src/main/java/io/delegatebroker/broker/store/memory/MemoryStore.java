package io.delegatebroker.broker.store.memory;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.broker.domain.Account;
import io.delegatebroker.broker.domain.AdminKey;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateState;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The store for {@code BROKER_DEV=true}: everything in this process's memory, lost on exit. One lock makes
 * each call atomic, which matches the transactions of the PostgreSQL store.
 */
public final class MemoryStore implements BrokerStore {

  private final Map<String, Account> accounts = new LinkedHashMap<>();
  private final Map<String, AdminKey> keys = new LinkedHashMap<>();
  private final Map<String, TokenRecord> tokens = new LinkedHashMap<>();
  private final Map<String, Profile> profiles = new LinkedHashMap<>();
  private final Map<String, Delegate> delegates = new LinkedHashMap<>();
  /** Registration looks delegates up by name on every new connect: keep that a hash lookup. */
  private final Map<String, Delegate> delegatesByName = new HashMap<>();
  private final Set<String> rejectedNames = new HashSet<>();
  private final List<AuditEvent> audit = new ArrayList<>();

  private synchronized <T> Future<T> call(Supplier<T> body) {
    try {
      return Future.succeededFuture(body.get());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static String key(String a, String b) {
    return a + "/" + b;
  }

  /** Refuses a write that the PostgreSQL schema's unique constraints would refuse, before anything is changed. */
  private static void unique(boolean taken, String what) {
    if (taken) {
      throw new NameTaken(what);
    }
  }

  private boolean tokenHashTaken(String hash) {
    return tokens.values().stream().anyMatch(t -> t.hash().equals(hash));
  }

  @Override
  public Future<Void> createAccount(Account account, TokenRecord defaultToken, Profile primary, AuditEvent event) {
    return call(() -> {
      unique(accounts.containsKey(account.id()), "An account with that id exists.");
      unique(tokenHashTaken(defaultToken.hash()), "A token with that value exists.");
      accounts.put(account.id(), account);
      tokens.put(key(account.id(), defaultToken.name()), defaultToken);
      profiles.put(key(account.id(), primary.name()), primary);
      audit.add(event);
      return null;
    });
  }

  @Override
  public Future<List<Account>> listAccounts() {
    return call(() -> List.copyOf(accounts.values()));
  }

  @Override
  public Future<Optional<Account>> findAccount(String accountId) {
    return call(() -> Optional.ofNullable(accounts.get(accountId)));
  }

  @Override
  public Future<Void> insertAdminKey(AdminKey key, AuditEvent event) {
    return call(() -> {
      unique(keys.containsKey(key.id()) || keys.values().stream().anyMatch(k -> k.hash().equals(key.hash())),
          "An admin key with that id or value exists.");
      keys.put(key.id(), key);
      audit.add(event);
      return null;
    });
  }

  @Override
  public Future<Boolean> deleteAdminKey(String accountId, String keyId, AuditEvent event) {
    return call(() -> {
      AdminKey k = keys.get(keyId);
      if (k == null || !k.accountId().equals(accountId)) {
        return false;
      }
      keys.remove(keyId);
      audit.add(event);
      return true;
    });
  }

  @Override
  public Future<Optional<AdminKey>> findAdminKeyByHash(String hash) {
    return call(() -> keys.values().stream().filter(k -> k.hash().equals(hash)).findFirst());
  }

  @Override
  public Future<Void> insertToken(TokenRecord token, AuditEvent event) {
    return call(() -> {
      String k = key(token.accountId(), token.name());
      unique(tokens.containsKey(k), "A token with that name exists.");
      unique(tokenHashTaken(token.hash()), "A token with that value exists.");
      tokens.put(k, token);
      audit.add(event);
      return null;
    });
  }

  @Override
  public Future<List<TokenRecord>> listTokens(String accountId, TokenStatus status, String project) {
    return call(() -> tokens.values().stream()
        .filter(t -> t.accountId().equals(accountId))
        .filter(t -> status == null || status == t.status())
        .filter(t -> project == null || project.equals(t.project()))
        .sorted(Comparator.comparing(TokenRecord::createdAt))
        .toList());
  }

  @Override
  public Future<Optional<TokenRecord>> findToken(String accountId, String name) {
    return call(() -> Optional.ofNullable(tokens.get(key(accountId, name))));
  }

  @Override
  public Future<Optional<TokenRecord>> findTokenByHash(String hash) {
    return call(() -> tokens.values().stream().filter(t -> t.hash().equals(hash)).findFirst());
  }

  @Override
  public Future<Optional<Revocation>> revokeToken(String accountId, String name, AuditEvent event) {
    return call(() -> {
      String k = key(accountId, name);
      TokenRecord t = tokens.get(k);
      if (t == null) {
        return Optional.empty();
      }
      if (t.revoked()) {
        return Optional.of(new Revocation(t, false));
      }
      TokenRecord revoked = t.withRevokedAt(Times.now()); // this process is the store: its clock is the store's
      tokens.put(k, revoked);
      audit.add(event);
      return Optional.of(new Revocation(revoked, true));
    });
  }

  @Override
  public Future<List<TokenState>> tokenStates(List<String> tokenIds) {
    Set<String> wanted = Set.copyOf(tokenIds);
    return call(() -> {
      Instant now = Times.now();
      return tokens.values().stream().filter(t -> wanted.contains(t.id()))
          .map(t -> new TokenState(t.id(), t.hash(), t.revoked(), t.expiredAt(now))).toList();
    });
  }

  @Override
  public Future<Void> touchTokens(Map<String, Instant> lastUsed) {
    return call(() -> {
      tokens.replaceAll((k, t) -> {
        Instant at = lastUsed.get(t.id());
        return at != null && (t.lastUsedAt() == null || at.isAfter(t.lastUsedAt())) ? t.withLastUsedAt(at) : t;
      });
      return null;
    });
  }

  @Override
  public Future<Void> insertProfile(Profile profile, AuditEvent event) {
    return call(() -> {
      String k = key(profile.accountId(), profile.name());
      if (profiles.containsKey(k)) {
        throw new NameTaken("A profile with that name exists.");
      }
      profiles.put(k, profile);
      audit.add(event);
      return null;
    });
  }

  @Override
  public Future<List<Profile>> listProfiles(String accountId) {
    return call(() -> profiles.values().stream().filter(p -> p.accountId().equals(accountId))
        .sorted(Comparator.comparing(Profile::createdAt)).toList());
  }

  @Override
  public Future<Optional<Profile>> findProfile(String accountId, String name) {
    return call(() -> Optional.ofNullable(profiles.get(key(accountId, name))));
  }

  @Override
  public Future<Optional<Profile>> updateProfile(Profile profile, AuditEvent event) {
    return call(() -> {
      String k = key(profile.accountId(), profile.name());
      if (!profiles.containsKey(k)) {
        return Optional.empty();
      }
      profiles.put(k, profile);
      audit.add(event);
      return Optional.of(profile);
    });
  }

  @Override
  public Future<Boolean> deleteProfile(String accountId, String name, AuditEvent event) {
    return call(() -> {
      if (profiles.remove(key(accountId, name)) == null) {
        return false;
      }
      audit.add(event);
      return true;
    });
  }

  @Override
  public Future<Delegate> registerDelegate(Delegate candidate) {
    return call(() -> {
      if (rejectedNames.contains(key(candidate.accountId(), candidate.name()))) {
        throw new NameRejected();
      }
      Delegate existing = delegatesByName.get(key(candidate.accountId(), candidate.name()));
      if (existing != null) {
        return delegates.get(existing.id());
      }
      delegates.put(candidate.id(), candidate);
      delegatesByName.put(key(candidate.accountId(), candidate.name()), candidate);
      return candidate;
    });
  }

  @Override
  public Future<Optional<Delegate>> findDelegate(String accountId, String delegateId) {
    return call(() -> Optional.ofNullable(delegates.get(delegateId)).filter(d -> d.accountId().equals(accountId)));
  }

  @Override
  public Future<List<Delegate>> listDelegates(String accountId, DelegateStatus status, String project) {
    return call(() -> delegates.values().stream()
        .filter(d -> d.accountId().equals(accountId))
        .filter(d -> status == null || status == d.status())
        .filter(d -> project == null || project.equals(d.project()))
        .sorted(Comparator.comparing(Delegate::createdAt)).toList());
  }

  @Override
  public Future<Optional<Delegate>> approveDelegate(String accountId, String delegateId, AuditEvent event) {
    return call(() -> {
      Delegate d = delegates.get(delegateId);
      if (d == null || !d.accountId().equals(accountId) || !d.pending()) {
        return Optional.empty();
      }
      Delegate approved = d.withStatus(DelegateStatus.ACTIVE);
      delegates.put(delegateId, approved);
      audit.add(event);
      return Optional.of(approved);
    });
  }

  @Override
  public Future<List<Delegate>> approveDelegates(String accountId, String tokenName, String profileName, AuditEvent event) {
    return call(() -> {
      List<Delegate> approved = new ArrayList<>();
      for (Delegate d : List.copyOf(delegates.values())) {
        boolean matches = d.accountId().equals(accountId) && d.pending()
            && (tokenName == null || tokenName.equals(d.tokenName()))
            && (profileName == null || profileName.equals(d.profile()));
        if (matches) {
          Delegate a = d.withStatus(DelegateStatus.ACTIVE);
          delegates.put(d.id(), a);
          approved.add(a);
        }
      }
      audit.add(event);
      return approved;
    });
  }

  @Override
  public Future<Optional<Delegate>> rejectDelegate(String accountId, String delegateId, AuditEvent event) {
    return call(() -> {
      Delegate d = delegates.get(delegateId);
      if (d == null || !d.accountId().equals(accountId) || !d.pending()) {
        return Optional.empty();
      }
      delegates.remove(delegateId);
      delegatesByName.remove(key(accountId, d.name()));
      rejectedNames.add(key(accountId, d.name()));
      audit.add(event);
      return Optional.of(d);
    });
  }

  @Override
  public Future<Optional<Delegate>> deleteDelegate(String accountId, String delegateId, AuditEvent event) {
    return call(() -> {
      Delegate d = delegates.get(delegateId);
      if (d == null || !d.accountId().equals(accountId)) {
        return Optional.empty();
      }
      delegates.remove(delegateId);
      delegatesByName.remove(key(accountId, d.name()));
      audit.add(event);
      return Optional.of(d);
    });
  }

  @Override
  public Future<Map<String, DelegateState>> delegateStates(List<DelegateRef> refs) {
    return call(() -> {
      Map<String, DelegateState> out = new HashMap<>();
      for (DelegateRef r : refs) {
        Delegate d = delegates.get(r.id());
        out.put(r.id(), d != null ? DelegateState.of(d.status())
            : rejectedNames.contains(key(r.accountId(), r.name())) ? DelegateState.REJECTED : DelegateState.DELETED);
      }
      return out;
    });
  }

  @Override
  public Future<Void> appendAudit(AuditEvent event) {
    return call(() -> {
      audit.add(event);
      return null;
    });
  }

  @Override
  public Future<List<AuditEvent>> listAudit(String accountId, int limit) {
    return call(() -> {
      List<AuditEvent> out = new ArrayList<>();
      for (int i = audit.size() - 1; i >= 0 && out.size() < limit; i--) {
        if (Objects.equals(audit.get(i).accountId(), accountId)) {
          out.add(audit.get(i));
        }
      }
      return out;
    });
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
