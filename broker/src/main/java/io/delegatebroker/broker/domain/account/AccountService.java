package io.delegatebroker.broker.domain.account;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.auth.KeyAuthenticator;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.ops.AccountOperations;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.broker.domain.Account;
import io.delegatebroker.broker.domain.AdminKey;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Found;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.vocabulary.AuditAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Accounts (created with their {@code default} token and {@code primary} profile), admin keys and the audit trail. */
public final class AccountService implements AccountOperations, KeyAuthenticator {

  private static final int AUDIT_LIMIT = 1000;

  private final BrokerStore store;
  private final String rootKeyHash;

  public AccountService(BrokerStore store, String rootKey) {
    this.store = store;
    this.rootKeyHash = Secrets.hash(rootKey);
  }

  @Override
  public Future<Caller> authenticate(String keyValue) {
    String hash = Secrets.hash(keyValue);
    if (MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII), rootKeyHash.getBytes(StandardCharsets.US_ASCII))) {
      return Future.succeededFuture(Caller.ROOT);
    }
    return store.findAdminKeyByHash(hash).compose(key -> key
        .map(k -> Future.succeededFuture(new Caller(k.id(), k.accountId())))
        .orElseGet(() -> Future.failedFuture(new BrokerException(ErrorCode.UNAUTHORIZED, "A valid admin key is required."))));
  }

  /** Fails with 404 when the account does not exist. */
  public Future<Account> require(String accountId) {
    return store.findAccount(accountId).compose(Found.orNotFound("No such account."));
  }

  @Override
  public Future<JsonObject> createAccount(Caller caller, String name) {
    Instant now = Times.now();
    Account account = new Account(Secrets.newId(), name, now);
    String value = Secrets.newValue("dt_");
    TokenRecord token = new TokenRecord(Secrets.newId(), account.id(), "default", null, Secrets.hash(value),
        TokenStatus.ACTIVE, now, null, null, null);
    Profile primary = new Profile(account.id(), Profile.PRIMARY, false, null, now);
    AuditEvent event = new AuditEvent(account.id(), now, caller.actor(),
        AuditAction.ACCOUNT_CREATE, "account/" + account.id());
    return store.createAccount(account, token, primary, event)
        .map(v -> json(account).put("defaultToken", new JsonObject().put("name", "default").put("value", value)));
  }

  @Override
  public Future<JsonArray> listAccounts() {
    return store.listAccounts().map(list -> new JsonArray(list.stream().map(AccountService::json).toList()));
  }

  @Override
  public Future<JsonObject> getAccount(String accountId) {
    return require(accountId).map(AccountService::json);
  }

  @Override
  public Future<JsonObject> createKey(Caller caller, String accountId) {
    return require(accountId).compose(a -> {
      Instant now = Times.now();
      String value = Secrets.newValue("ak_");
      AdminKey key = new AdminKey(Secrets.newId(), accountId, Secrets.hash(value), now);
      return store.insertAdminKey(key,
          new AuditEvent(accountId, now, caller.actor(), AuditAction.KEY_CREATE, "key/" + key.id()))
          .map(v -> new JsonObject().put("id", key.id()).put("value", value).put("createdAt", Times.iso(now)));
    });
  }

  @Override
  public Future<Void> deleteKey(Caller caller, String accountId, String keyId) {
    return require(accountId)
        .compose(a -> store.deleteAdminKey(accountId, keyId,
            new AuditEvent(accountId, Times.now(), caller.actor(), AuditAction.KEY_DELETE, "key/" + keyId)))
        .compose(deleted -> deleted ? Future.<Void>succeededFuture()
            : Future.failedFuture(BrokerException.notFound("No such key in this account.")));
  }

  @Override
  public Future<JsonArray> audit(String accountId) {
    return require(accountId).compose(a -> store.listAudit(accountId, AUDIT_LIMIT))
        .map(events -> new JsonArray(events.stream().map(e -> new JsonObject()
            .put("at", Times.iso(e.at())).put("actor", e.actor()).put("action", e.action()).put("target", e.target()))
            .toList()));
  }

  static JsonObject json(Account a) {
    return new JsonObject().put("id", a.id()).put("name", a.name()).put("createdAt", Times.iso(a.createdAt()));
  }
}
