package io.delegatebroker.api.ops;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Delegate tokens: create (value shown once), list, get, revoke (cluster-wide eviction) and live connections. */
public interface TokenOperations {
  Future<JsonObject> createToken(Caller caller, String accountId, String name, String project, Instant expiresAt);

  /** @param status a status, or null for all; @param project a project or null */
  Future<JsonArray> listTokens(String accountId, TokenStatus status, String project);

  Future<JsonObject> getToken(String accountId, String name);

  Future<JsonObject> revokeToken(Caller caller, String accountId, String name);

  Future<JsonArray> connections(String accountId, String name);
}
