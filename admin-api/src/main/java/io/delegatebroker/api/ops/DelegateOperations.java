package io.delegatebroker.api.ops;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Registered delegates: listing with live instances, approval, rejection, deletion and messages to them. */
public interface DelegateOperations {
  /** @param status a status, or null for all; @param project a project or null */
  Future<JsonArray> listDelegates(String accountId, DelegateStatus status, String project);

  Future<JsonObject> getDelegate(String accountId, String delegateId);

  Future<JsonObject> approve(Caller caller, String accountId, String delegateId);

  Future<JsonObject> reject(Caller caller, String accountId, String delegateId);

  Future<Void> delete(Caller caller, String accountId, String delegateId);

  /** Approves every pending delegate registered with the named token, or with the named profile. */
  Future<JsonObject> approveAll(Caller caller, String accountId, String tokenName, String profileName);

  Future<JsonObject> sendMessage(Caller caller, String accountId, String delegateId, JsonObject payload);
}
