package io.delegatebroker.broker.domain;

import java.time.Instant;

/** A delegate profile: whether new registrations need approval, and a startup script for its delegates. */
public record Profile(String accountId, String name, boolean approvalRequired, String startupScript, Instant createdAt) {

  public static final String PRIMARY = "primary";
}
