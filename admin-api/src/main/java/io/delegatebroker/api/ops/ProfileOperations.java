package io.delegatebroker.api.ops;

import io.delegatebroker.api.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Delegate profiles: whether registrations need approval, and the startup script sent in {@code welcome}. */
public interface ProfileOperations {
  Future<JsonObject> createProfile(Caller caller, String accountId, String name, boolean approvalRequired, String startupScript);

  Future<JsonArray> listProfiles(String accountId);

  Future<JsonObject> getProfile(String accountId, String name);

  /**
   * @param approvalRequired new value or null to keep; @param startupScript new value, or null to keep; clearScript
   * removes it
   */
  Future<JsonObject> updateProfile(Caller caller, String accountId, String name, Boolean approvalRequired, String startupScript,
      boolean clearScript);

  Future<Void> deleteProfile(Caller caller, String accountId, String name);
}
