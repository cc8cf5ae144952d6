package io.delegatebroker.broker.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one soak run does, from system properties so that a run is replayed by its seed: {@code soak.seed} (default
 * random, always printed), {@code soak.seconds} (length of the chaos phase), {@code soak.clients},
 * {@code soak.accounts}, {@code soak.out} (report directory).
 *
 * @param seed         seeds every random decision (operations, faults, clients)
 * @param chaos        how long operations and faults run; the current fault is healed after it
 * @param clients      simulated delegates (each one instance that connects, heartbeats, reconnects)
 * @param accounts     accounts the clients and the operator work in
 * @param heartbeat    heartbeat period announced by the nodes (seconds); silence for 3 periods closes a session
 * @param faultGapMin  least quiet time between one fault healed and the next one injected
 * @param faultGapMax  most quiet time between faults
 * @param out          where the report files go
 */
public record SoakSettings(long seed, Duration chaos, int clients, int accounts, int heartbeat, Duration faultGapMin,
    Duration faultGapMax, Path out) {

  /** The safety-net period of the contract: how long a revoked session may stay open, and how stale a listing may be. */
  public static final Duration SAFETY_NET = Duration.ofSeconds(5);

  /**
   * Quiet time after the last fault healed before listings are compared with the clients' sockets: one safety-net
   * period, so a change a fault caused has had the time the contract allows to reach every listing.
   */
  public static final Duration SETTLE = SAFETY_NET;

  /** Longest {@code kill -STOP}. */
  public static final Duration MAX_PAUSE = Duration.ofSeconds(4);

  /** Reads the settings; the defaults are the caller's (the CI variant and the long soak differ). */
  public static SoakSettings fromProperties(Duration defaultChaos, int defaultClients, int defaultAccounts) {
    String seedProp = System.getProperty("soak.seed");
    long seed = seedProp == null || seedProp.isBlank() ? System.nanoTime() ^ System.currentTimeMillis()
        : Long.parseLong(seedProp.trim());
    Duration chaos = Duration.ofSeconds(Long.getLong("soak.seconds", defaultChaos.toSeconds()));
    int clients = Integer.getInteger("soak.clients", defaultClients);
    int accounts = Integer.getInteger("soak.accounts", defaultAccounts);
    Path out = Path.of(System.getProperty("soak.out", "target/soak"));
    return new SoakSettings(seed, chaos, clients, accounts, 3, Duration.ofSeconds(6), Duration.ofSeconds(12), out);
  }
}
