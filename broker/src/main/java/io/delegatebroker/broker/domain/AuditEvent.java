package io.delegatebroker.broker.domain;

import java.time.Instant;

/** One audited change: who ({@code root} or a key id) did what ({@code token.revoke}) to which object. */
public record AuditEvent(String accountId, Instant at, String actor, String action, String target) {
}
