package io.delegatebroker.broker.vocabulary;

/**
 * The status words of a delegate, as the contract spells them in JSON and the store keeps them. A neutral package, so
 * that both the domain and the live sessions (which announce the status in the welcome frame) can use them without
 * depending on each other.
 */
public final class DelegateStatus {

  /** Approved: the delegate may receive messages. */
  public static final String ACTIVE = "ACTIVE";
  /** Registered but waiting for an operator's approval. */
  public static final String PENDING = "PENDING_APPROVAL";

  private DelegateStatus() {
  }
}
