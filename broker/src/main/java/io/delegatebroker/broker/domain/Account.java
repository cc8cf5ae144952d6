package io.delegatebroker.broker.domain;

import java.time.Instant;

/** A customer account: the unit that owns tokens, profiles, delegates and account keys. */
public record Account(String id, String name, Instant createdAt) {
}
