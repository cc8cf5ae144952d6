package io.delegatebroker.api.auth;

import io.vertx.core.Future;

/** Resolves a presented admin key value to a {@link Caller}; fails with 401 {@code unauthorized} when unknown. */
public interface KeyAuthenticator {
  Future<Caller> authenticate(String keyValue);
}
