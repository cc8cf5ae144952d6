package io.delegatebroker.broker.domain;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import java.time.Instant;

/**
 * A registered delegate (one name in one account, possibly several instances).
 *
 * @param status    approved, or waiting for approval
 * @param tokenName the token it registered with
 * @param project   the project of that token, or null
 */
public record Delegate(String id, String accountId, String name, String type, String profile, String project,
    DelegateStatus status, String tokenName, Instant createdAt) {

  public boolean pending() {
    return status == DelegateStatus.PENDING_APPROVAL;
  }

  public Delegate withStatus(DelegateStatus newStatus) {
    return new Delegate(id, accountId, name, type, profile, project, newStatus, tokenName, createdAt);
  }
}
