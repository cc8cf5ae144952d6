package io.delegatebroker.api.vocabulary;

/**
 * The status of a delegate token. Each constant's {@link #name()} is the word the contract spells in JSON, in the
 * {@code status} query filter and in the store: never rename one. (Expiry is not a status: an expired token stays
 * {@code ACTIVE} with its {@code expiresAt} in the past.)
 */
public enum TokenStatus {
  ACTIVE,
  REVOKED
}
