package io.delegatebroker.broker.domain.profile;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.ops.ProfileOperations;
import io.delegatebroker.broker.cluster.NodeCommandBus;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Found;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.account.AccountService;
import io.delegatebroker.broker.cluster.command.ForgetProfile;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.vocabulary.AuditAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Delegate profiles. {@code primary} always exists. Changing {@code approvalRequired} affects only registrations
 * made afterwards, never a delegate already registered (as the product docs say).
 */
public final class ProfileService implements ProfileOperations {

  private final BrokerStore store;
  private final AccountService accounts;
  private final NodeCommandBus bus;

  public ProfileService(BrokerStore store, AccountService accounts, NodeCommandBus bus) {
    this.store = store;
    this.accounts = accounts;
    this.bus = bus;
  }

  @Override
  public Future<JsonObject> createProfile(Caller caller, String accountId, String name, boolean approvalRequired,
      String startupScript) {
    return accounts.require(accountId).compose(a -> {
      Instant now = Times.now();
      Profile p = new Profile(accountId, name, approvalRequired, startupScript, now);
      return store.insertProfile(p,
          new AuditEvent(accountId, now, caller.actor(), AuditAction.PROFILE_CREATE, "profile/" + name))
          .recover(e -> Future.failedFuture(e instanceof BrokerStore.NameTaken
              ? BrokerException.conflict("A profile named '" + name + "' exists in this account.") : e))
          .compose(v -> forget(accountId, name))
          .map(v -> json(p));
    });
  }

  @Override
  public Future<JsonArray> listProfiles(String accountId) {
    return accounts.require(accountId).compose(a -> store.listProfiles(accountId))
        .map(list -> new JsonArray(list.stream().map(ProfileService::json).toList()));
  }

  @Override
  public Future<JsonObject> getProfile(String accountId, String name) {
    return require(accountId, name).map(ProfileService::json);
  }

  @Override
  public Future<JsonObject> updateProfile(Caller caller, String accountId, String name, Boolean approvalRequired,
      String startupScript, boolean clearScript) {
    return require(accountId, name).compose(old -> {
      Profile updated = new Profile(accountId, name,
          approvalRequired == null ? old.approvalRequired() : approvalRequired,
          clearScript ? null : startupScript == null ? old.startupScript() : startupScript, old.createdAt());
      return store.updateProfile(updated,
          new AuditEvent(accountId, Times.now(), caller.actor(), AuditAction.PROFILE_UPDATE, "profile/" + name));
    }).compose(Found.orNotFound("No such profile in this account."))
        .compose(p -> forget(accountId, name).map(json(p)));
  }

  @Override
  public Future<Void> deleteProfile(Caller caller, String accountId, String name) {
    if (Profile.PRIMARY.equals(name)) {
      return Future.failedFuture(BrokerException.conflict("The primary profile cannot be deleted."));
    }
    return accounts.require(accountId)
        .compose(a -> store.deleteProfile(accountId, name,
            new AuditEvent(accountId, Times.now(), caller.actor(), AuditAction.PROFILE_DELETE, "profile/" + name)))
        .compose(deleted -> deleted ? forget(accountId, name)
            : Future.failedFuture(BrokerException.notFound("No such profile in this account.")));
  }

  private Future<Void> forget(String accountId, String name) {
    return bus.fanout(new ForgetProfile(accountId, name)).mapEmpty();
  }

  private Future<Profile> require(String accountId, String name) {
    return accounts.require(accountId).compose(a -> store.findProfile(accountId, name))
        .compose(Found.orNotFound("No such profile in this account."));
  }

  static JsonObject json(Profile p) {
    JsonObject o = new JsonObject().put("name", p.name()).put("approvalRequired", p.approvalRequired())
        .put("createdAt", Times.iso(p.createdAt()));
    if (p.startupScript() != null) {
      o.put("startupScript", p.startupScript());
    }
    return o;
  }
}
