package io.delegatebroker.broker.vocabulary;

/**
 * Every change the broker audits, with the verb the audit listing shows ({@code action} of
 * {@code GET /v1/accounts/{acc}/audit}) and the store keeps. A new audited change is one constant here; a word, once
 * stored, must never change.
 */
public enum AuditAction {
  ACCOUNT_CREATE("account.create"),
  KEY_CREATE("key.create"),
  KEY_DELETE("key.delete"),
  TOKEN_CREATE("token.create"),
  TOKEN_REVOKE("token.revoke"),
  PROFILE_CREATE("profile.create"),
  PROFILE_UPDATE("profile.update"),
  PROFILE_DELETE("profile.delete"),
  DELEGATE_APPROVE("delegate.approve"),
  /** Every pending delegate of a token or a profile at once. */
  DELEGATE_APPROVE_ALL("delegate.approve_all"),
  DELEGATE_REJECT("delegate.reject"),
  DELEGATE_DELETE("delegate.delete");

  private final String word;

  AuditAction(String word) {
    this.word = word;
  }

  /** The verb as the audit listing shows it, e.g. {@code token.revoke}. */
  public String word() {
    return word;
  }
}
