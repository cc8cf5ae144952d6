package io.delegatebroker.api.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** The cluster as the admin API shows it: its live nodes and their session counts. */
public interface ClusterOperations {
  Future<JsonObject> describe();
}
