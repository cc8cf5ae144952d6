package io.delegatebroker.api.ops;

import io.delegatebroker.api.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Accounts, their admin keys and their audit trail, as the admin API needs them. Results are contract JSON. */
public interface AccountOperations {
  Future<JsonObject> createAccount(Caller caller, String name);

  Future<JsonArray> listAccounts();

  Future<JsonObject> getAccount(String accountId);

  Future<JsonObject> createKey(Caller caller, String accountId);

  Future<Void> deleteKey(Caller caller, String accountId, String keyId);

  Future<JsonArray> audit(String accountId);
}
