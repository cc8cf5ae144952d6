package io.delegatebroker.broker.domain.token;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.ops.TokenOperations;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.broker.cluster.NodeCommandBus;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Found;
import io.delegatebroker.broker.domain.ListingGate;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.account.AccountService;
import io.delegatebroker.broker.cluster.command.ListSessions;
import io.delegatebroker.broker.cluster.command.RevokeToken;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.vocabulary.AuditAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Delegate tokens. Revocation is recorded in the store first (the truth every node catches up from), then
 * broadcast, every time, also for a token revoked before (a retry after a revoke that timed out must reach the nodes);
 * the call answers once every live node confirmed, or after the confirm timeout with {@code complete:false} and the
 * nodes that did not confirm in {@code unconfirmed}. {@code evicted} sums what each node closed for the revocation and
 * had not reported in an earlier answer, whichever path closed it (command, store safety net, a connect that lost).
 */
public final class TokenService implements TokenOperations {

  private final BrokerStore store;
  private final AccountService accounts;
  private final NodeCommandBus bus;
  private final LastUsedRecorder lastUsed;
  private final ListingGate listings;

  public TokenService(BrokerStore store, AccountService accounts, NodeCommandBus bus, LastUsedRecorder lastUsed,
      ListingGate listings) {
    this.listings = listings;
    this.store = store;
    this.accounts = accounts;
    this.bus = bus;
    this.lastUsed = lastUsed;
  }

  @Override
  public Future<JsonObject> createToken(Caller caller, String accountId, String name, String project, Instant expiresAt) {
    return accounts.require(accountId).compose(a -> {
      Instant now = Times.now();
      String value = Secrets.newValue("dt_");
      Instant expiry = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MILLIS);
      TokenRecord t = new TokenRecord(Secrets.newId(), accountId, name, project, Secrets.hash(value),
          TokenStatus.ACTIVE, now, expiry, null, null);
      return store.insertToken(t,
          new AuditEvent(accountId, now, caller.actor(), AuditAction.TOKEN_CREATE, "token/" + name))
          .recover(e -> Future.failedFuture(e instanceof BrokerStore.NameTaken
              ? BrokerException.conflict("A token named '" + name + "' exists in this account.") : e))
          .map(v -> new JsonObject()
              .put("name", t.name()).put("project", t.project()).put("status", t.status().name())
              .put("createdAt", Times.iso(t.createdAt())).put("expiresAt", Times.iso(t.expiresAt()))
              .put("value", value));
    });
  }

  @Override
  public Future<JsonArray> listTokens(String accountId, TokenStatus status, String project) {
    return listings.run(accountId, () -> accounts.require(accountId)
        .compose(a -> store.listTokens(accountId, status, project))
        .compose(tokens -> liveCounts(accountId).map(counts ->
            new JsonArray(tokens.stream().map(t -> json(t, counts.getOrDefault(t.id(), 0))).toList()))));
  }

  @Override
  public Future<JsonObject> getToken(String accountId, String name) {
    return listings.run(accountId, () -> require(accountId, name)
        .compose(t -> liveCounts(accountId).map(counts -> json(t, counts.getOrDefault(t.id(), 0)))));
  }

  @Override
  public Future<JsonObject> revokeToken(Caller caller, String accountId, String name) {
    return accounts.require(accountId).compose(a -> {
      Instant now = Times.now();
      return store.revokeToken(accountId, name,
          new AuditEvent(accountId, now, caller.actor(), AuditAction.TOKEN_REVOKE, "token/" + name));
    }).compose(r -> {
      if (r.isEmpty()) {
        return Future.failedFuture(BrokerException.notFound("No such token in this account."));
      }
      TokenRecord t = r.get().token();
      JsonObject out = new JsonObject().put("name", t.name()).put("status", TokenStatus.REVOKED.name())
          .put("revokedAt", Times.iso(t.revokedAt()));
      return bus.fanout(new RevokeToken(t.id(), t.hash()))
          .map(res -> out.put("evicted", res.sum()).put("complete", res.complete())
              .put("unconfirmed", new JsonArray(res.unconfirmed())));
    });
  }

  @Override
  public Future<JsonArray> connections(String accountId, String name) {
    return listings.run(accountId, () -> require(accountId, name)
        .compose(t -> bus.fanout(ListSessions.ofToken(t.id())))
        .map(res -> {
          JsonArray items = new JsonArray();
          res.replies().forEach(reply -> reply.sessions().forEach(s -> items.add(new JsonObject()
              .put("delegateId", s.delegateId()).put("delegate", s.delegate()).put("instance", s.instance())
              .put("node", s.node()).put("connectedAt", Times.iso(Instant.ofEpochMilli(s.connectedAtMillis()))))));
          return items;
        }));
  }

  private Future<TokenRecord> require(String accountId, String name) {
    return accounts.require(accountId).compose(a -> store.findToken(accountId, name))
        .compose(Found.orNotFound("No such token in this account."));
  }

  /** Live sessions per token id across the cluster. */
  private Future<Map<String, Integer>> liveCounts(String accountId) {
    return bus.fanout(ListSessions.tokenCounts(accountId)).map(res -> {
      Map<String, Integer> counts = new HashMap<>();
      res.replies().forEach(reply -> reply.counts().forEach((token, n) -> counts.merge(token, n, Integer::sum)));
      return counts;
    });
  }

  private JsonObject json(TokenRecord t, int connected) {
    Instant used = t.lastUsedAt();
    Instant unflushed = lastUsed.unflushed(t.id());
    if (unflushed != null && (used == null || unflushed.isAfter(used))) {
      used = unflushed;
    }
    return new JsonObject()
        .put("name", t.name()).put("project", t.project()).put("status", t.status().name())
        .put("createdAt", Times.iso(t.createdAt())).put("expiresAt", Times.iso(t.expiresAt()))
        .put("revokedAt", Times.iso(t.revokedAt())).put("lastUsedAt", Times.iso(used))
        .put("connectedInstances", connected);
  }

}
