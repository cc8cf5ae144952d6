package io.delegatebroker.broker.domain.delegate;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.ops.DelegateOperations;
import io.delegatebroker.broker.cluster.NodeCommandBus;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Found;
import io.delegatebroker.broker.domain.ListingGate;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.account.AccountService;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateState;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.cluster.command.ApproveDelegates;
import io.delegatebroker.broker.cluster.command.EndDelegate;
import io.delegatebroker.broker.cluster.command.ListSessions;
import io.delegatebroker.broker.cluster.command.SendMessage;
import io.delegatebroker.broker.vocabulary.AuditAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's side of the delegate state machine: PENDING_APPROVAL → ACTIVE (approve), PENDING_APPROVAL → gone
 * with the name refused from then on (reject), any → gone (delete). Each transition is one conditional write in the
 * store, so of two concurrent transitions exactly one wins; the winner then tells every node holding sessions.
 */
public final class DelegateService implements DelegateOperations {

  private final BrokerStore store;
  private final AccountService accounts;
  private final NodeCommandBus bus;
  private final ListingGate listings;

  public DelegateService(BrokerStore store, AccountService accounts, NodeCommandBus bus, ListingGate listings) {
    this.listings = listings;
    this.store = store;
    this.accounts = accounts;
    this.bus = bus;
  }

  @Override
  public Future<JsonArray> listDelegates(String accountId, DelegateStatus status, String project) {
    return listings.run(accountId, () -> accounts.require(accountId)
        .compose(a -> store.listDelegates(accountId, status, project))
        .compose(list -> instances(accountId).map(inst ->
            new JsonArray(list.stream().map(d -> json(d, inst.getOrDefault(d.id(), new JsonArray()))).toList()))));
  }

  @Override
  public Future<JsonObject> getDelegate(String accountId, String delegateId) {
    return listings.run(accountId, () -> require(accountId, delegateId)
        .compose(d -> instances(accountId).map(inst -> json(d, inst.getOrDefault(d.id(), new JsonArray())))));
  }

  @Override
  public Future<JsonObject> approve(Caller caller, String accountId, String delegateId) {
    return require(accountId, delegateId)
        .compose(d -> store.approveDelegate(accountId, delegateId,
            event(caller, accountId, AuditAction.DELEGATE_APPROVE, delegateId)))
        .compose(this::notPendingUnless)
        .compose(d -> bus.fanout(new ApproveDelegates(accountId, List.of(d.id()), List.of(d.name())))
            .map(res -> new JsonObject().put("id", d.id()).put("status", DelegateStatus.ACTIVE.name())));
  }

  @Override
  public Future<JsonObject> reject(Caller caller, String accountId, String delegateId) {
    return require(accountId, delegateId)
        .compose(d -> store.rejectDelegate(accountId, delegateId,
            event(caller, accountId, AuditAction.DELEGATE_REJECT, delegateId)))
        .compose(this::notPendingUnless)
        .compose(d -> bus.fanout(new EndDelegate(accountId, d.id(), d.name(), CloseReason.DELEGATE_REJECTED))
            .map(res -> new JsonObject().put("id", d.id()).put("status", DelegateState.REJECTED.name())
                .put("evicted", res.sum())));
  }

  @Override
  public Future<Void> delete(Caller caller, String accountId, String delegateId) {
    return require(accountId, delegateId)
        .compose(d -> store.deleteDelegate(accountId, delegateId,
            event(caller, accountId, AuditAction.DELEGATE_DELETE, delegateId)))
        .compose(Found.orNotFound("No such delegate in this account."))
        .compose(d -> bus.fanout(new EndDelegate(accountId, d.id(), d.name(), CloseReason.DELEGATE_DELETED)))
        .mapEmpty();
  }

  @Override
  public Future<JsonObject> approveAll(Caller caller, String accountId, String tokenName, String profileName) {
    String target = tokenName != null ? "token/" + tokenName : "profile/" + profileName;
    return accounts.require(accountId)
        .compose(a -> store.approveDelegates(accountId, tokenName, profileName,
            new AuditEvent(accountId, Times.now(), caller.actor(), AuditAction.DELEGATE_APPROVE_ALL, target)))
        .compose(approved -> {
          List<String> ids = approved.stream().map(Delegate::id).toList();
          Future<?> told = ids.isEmpty() ? Future.succeededFuture()
              : bus.fanout(new ApproveDelegates(accountId, ids, approved.stream().map(Delegate::name).toList()));
          return told.map(v -> new JsonObject().put("approved", new JsonArray(ids)));
        });
  }

  @Override
  public Future<JsonObject> sendMessage(Caller caller, String accountId, String delegateId, JsonObject payload) {
    return require(accountId, delegateId).compose(d -> {
      if (d.pending()) {
        return Future.failedFuture(BrokerException.conflict("The delegate is waiting for approval."));
      }
      String id = Secrets.newId();
      String frame = new JsonObject().put("type", "message").put("id", id).put("payload", payload).encode();
      return bus.fanout(new SendMessage(delegateId, frame)).compose(res -> {
        int delivered = res.sum();
        if (delivered == 0) {
          return Future.failedFuture(BrokerException.notFound("No instance of the delegate is connected."));
        }
        return Future.succeededFuture(new JsonObject().put("id", id).put("delivered", delivered));
      });
    });
  }

  private Future<Delegate> notPendingUnless(Optional<Delegate> changed) {
    return changed.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(BrokerException.conflict("The delegate is not pending approval.")));
  }

  private static AuditEvent event(Caller caller, String accountId, AuditAction action, String delegateId) {
    return new AuditEvent(accountId, Times.now(), caller.actor(), action, "delegate/" + delegateId);
  }

  private Future<Delegate> require(String accountId, String delegateId) {
    return accounts.require(accountId).compose(a -> store.findDelegate(accountId, delegateId))
        .compose(Found.orNotFound("No such delegate in this account."));
  }

  /** Live instances per delegate id across the cluster. */
  private Future<Map<String, JsonArray>> instances(String accountId) {
    return bus.fanout(ListSessions.ofAccount(accountId)).map(res -> {
      Map<String, JsonArray> out = new HashMap<>();
      res.replies().forEach(reply -> reply.sessions().forEach(s ->
        out.computeIfAbsent(s.delegateId(), k -> new JsonArray()).add(new JsonObject()
            .put("instance", s.instance()).put("node", s.node())
            .put("connectedAt", Times.iso(Instant.ofEpochMilli(s.connectedAtMillis())))
            .put("lastHeartbeatAt", Times.iso(Instant.ofEpochMilli(s.lastHeartbeatMillis()))))));
      return out;
    });
  }

  private static JsonObject json(Delegate d, JsonArray instances) {
    return new JsonObject()
        .put("id", d.id()).put("name", d.name()).put("type", d.type()).put("profile", d.profile())
        .put("project", d.project()).put("status", d.status().name()).put("tokenName", d.tokenName())
        .put("createdAt", Times.iso(d.createdAt())).put("connected", !instances.isEmpty())
        .put("instances", instances);
  }
}
