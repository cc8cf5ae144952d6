package io.delegatebroker.broker.domain;

import io.delegatebroker.broker.vocabulary.DelegateStatus;
import java.time.Instant;

/**
 * A registered delegate (one name in one account, possibly several instances).
 *
 * @param status    ACTIVE or PENDING_APPROVAL
 * @param tokenName the token it registered with
 * @param project   the project of that token, or null
 */
public record Delegate(String id, String accountId, String name, String type, String profile, String project,
    String status, String tokenName, Instant createdAt) {

  public static final String ACTIVE = DelegateStatus.ACTIVE;
  public static final String PENDING = DelegateStatus.PENDING;

  public boolean pending() {
    return PENDING.equals(status);
  }

  public Delegate withStatus(String newStatus) {
    return new Delegate(id, accountId, name, type, profile, project, newStatus, tokenName, createdAt);
  }
}
