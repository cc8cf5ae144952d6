package io.delegatebroker.broker.domain;

import io.delegatebroker.broker.vocabulary.AuditAction;
import java.time.Instant;

/**
 * One audited change: who ({@code root} or a key id) did what ({@code token.revoke}) to which object. The action
 * is kept as the stored word, so a listing shows whatever an older node wrote; new events name an {@link AuditAction}.
 */
public record AuditEvent(String accountId, Instant at, String actor, String action, String target) {

  public AuditEvent(String accountId, Instant at, String actor, AuditAction action, String target) {
    this(accountId, at, actor, action.word(), target);
  }
}
