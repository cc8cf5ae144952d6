package io.delegatebroker.broker.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Wall-clock times at the precision the store keeps (milliseconds), so what is returned equals what is read back. */
public final class Times {

  private Times() {
  }

  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  public static String iso(Instant i) {
    return i == null ? null : i.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
