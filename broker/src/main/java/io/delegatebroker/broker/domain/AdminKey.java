package io.delegatebroker.broker.domain;

import java.time.Instant;

/** An account admin key as stored: the hash of its value, never the value. */
public record AdminKey(String id, String accountId, String hash, Instant createdAt) {
}
