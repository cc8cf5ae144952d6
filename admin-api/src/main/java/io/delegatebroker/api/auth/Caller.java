package io.delegatebroker.api.auth;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;

/**
 * Who is calling the admin API: the root key, or an account key that reaches only its own account.
 *
 * @param keyId     the account key's id, or null for root
 * @param accountId the account the key belongs to, or null for root
 */
public record Caller(String keyId, String accountId) {

  public static final Caller ROOT = new Caller(null, null);

  public boolean isRoot() {
    return keyId == null;
  }

  /** The audit actor: {@code root} or the key id. */
  public String actor() {
    return isRoot() ? "root" : keyId;
  }

  /** Fails with 403 unless this caller may act on the given account. */
  public void checkAccount(String account) {
    if (!isRoot() && !accountId.equals(account)) {
      throw new BrokerException(ErrorCode.FORBIDDEN, "This key does not reach that account.");
    }
  }

  /** Fails with 403 unless this is the root key. */
  public void checkRoot() {
    if (!isRoot()) {
      throw new BrokerException(ErrorCode.FORBIDDEN, "Only the root key may do this.");
    }
  }
}
