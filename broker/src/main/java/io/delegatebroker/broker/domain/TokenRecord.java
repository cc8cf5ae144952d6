package io.delegatebroker.broker.domain;

import io.delegatebroker.api.vocabulary.TokenStatus;
import java.time.Instant;

/**
 * A delegate token as stored: never its value, only the value's one-way hash.
 *
 * @param id        internal id, stable across renames and nodes
 * @param hash      hex SHA-256 of the value
 * @param status    active or revoked (expiry is judged from {@code expiresAt})
 */
public record TokenRecord(String id, String accountId, String name, String project, String hash, TokenStatus status,
    Instant createdAt, Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {

  public boolean revoked() {
    return status == TokenStatus.REVOKED;
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  public TokenRecord withRevokedAt(Instant at) {
    return new TokenRecord(id, accountId, name, project, hash, TokenStatus.REVOKED, createdAt, expiresAt, at,
        lastUsedAt);
  }

  public TokenRecord withLastUsedAt(Instant at) {
    return new TokenRecord(id, accountId, name, project, hash, status, createdAt, expiresAt, revokedAt, at);
  }
}
