package io.delegatebroker.api.vocabulary;

/**
 * The status of a registered delegate. Each constant's {@link #name()} is the word the contract spells in JSON (the
 * admin API, the {@code welcome} frame), in the {@code status} query filter and in the store: never rename one.
 */
public enum DelegateStatus {
  /** Approved: the delegate may receive messages. */
  ACTIVE,
  /** Registered but waiting for an operator's approval. */
  PENDING_APPROVAL
}
