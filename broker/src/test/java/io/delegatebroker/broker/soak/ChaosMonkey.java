package io.delegatebroker.broker.soak;

import io.delegatebroker.broker.testkit.PrivatePostgres;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Injects one fault at a time, at random times, into the soak's processes: a node killed ({@code kill -9}) and
 * restarted, frozen ({@code kill -STOP}, then {@code -CONT} after up to {@link SoakSettings#MAX_PAUSE}), drained
 * ({@code SIGTERM}) and restarted, or the soak's own PostgreSQL restarted. The kinds are drawn as shuffled rounds of
 * all four, so every kind occurs in every four faults. A fault counts as healed once every node answers ready and
 * sees the three members; the next fault waits a random gap after that.
 */
final class ChaosMonkey {

  enum Kind { KILL, PAUSE, DRAIN, PG_RESTART }

  private final List<NodeSlot> nodes;
  private final PrivatePostgres pg;
  private final ClusterWatch watch;
  private final Ledger ledger;
  private final SoakSettings settings;
  private final Random random;
  private final List<Kind> bag = new ArrayList<>();
  private final Map<Kind, Integer> injected = new EnumMap<>(Kind.class);
  private final List<String> log = new ArrayList<>();
  private volatile boolean active;
  private volatile long healedAt;
  private volatile int epoch;

  ChaosMonkey(List<NodeSlot> nodes, PrivatePostgres pg, ClusterWatch watch, Ledger ledger, SoakSettings settings,
      Random random) {
    this.nodes = nodes;
    this.pg = pg;
    this.watch = watch;
    this.ledger = ledger;
    this.settings = settings;
    this.random = random;
    this.healedAt = SoakClock.now();
  }

  /**
   * Injects faults until {@code untilMillis}; if some kind has not occurred yet by then, goes on until each one
   * did or {@code hardStopMillis} passed, so that even a short run exercises all four.
   */
  void run(long untilMillis, long hardStopMillis) {
    while (!Thread.currentThread().isInterrupted()) {
      long now = SoakClock.now();
      boolean allKinds = injected.size() == Kind.values().length;
      if (now >= hardStopMillis || (now >= untilMillis && allKinds)) {
        return;
      }
      long gap = settings.faultGapMin().toMillis()
          + (long) (random.nextDouble() * (settings.faultGapMax().toMillis() - settings.faultGapMin().toMillis()));
      sleep(gap); // quiet time between faults: a schedule, not a wait for an event
      if (SoakClock.now() >= hardStopMillis || (SoakClock.now() >= untilMillis && allKinds)) {
        return;
      }
      inject(next(), Ledger.pick(random, nodes));
    }
  }

  private Kind next() {
    if (bag.isEmpty()) {
      bag.addAll(List.of(Kind.values()));
      Collections.shuffle(bag, random);
    }
    return bag.remove(0);
  }

  void inject(Kind kind, NodeSlot node) {
    long downMillis = 500 + random.nextInt(2500);
    long pauseMillis = 1000 + random.nextInt((int) SoakSettings.MAX_PAUSE.toMillis() - 999);
    epoch++;
    active = true;
    long t0 = SoakClock.now();
    String what;
    switch (kind) {
      case KILL -> {
        node.kill();
        sleep(downMillis);
        restart(node);
        what = "kill -9 " + node.nodeId() + ", restarted after " + downMillis + " ms";
      }
      case PAUSE -> {
        node.freeze();
        sleep(pauseMillis);
        node.thaw();
        what = "kill -STOP " + node.nodeId() + " for " + pauseMillis + " ms";
      }
      case DRAIN -> {
        int code = node.drain();
        if (code != 0) {
          ledger.violation("SIGTERM: " + node.nodeId() + " exited " + code + ", not 0");
        }
        sleep(downMillis);
        restart(node);
        what = "SIGTERM " + node.nodeId() + " (exit " + code + "), restarted after " + downMillis + " ms";
      }
      case PG_RESTART -> {
        pg.stopServer();
        sleep(downMillis);
        pg.startServer();
        what = "PostgreSQL stopped for " + downMillis + " ms";
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    long healMillis = watch.awaitHealthy(90_000);
    if (healMillis < 0) {
      ledger.violation("cluster not healthy 90 s after fault: " + what);
    }
    healedAt = SoakClock.now();
    active = false;
    injected.merge(kind, 1, Integer::sum);
    String line = "[" + t0 + " ms] " + what + "; healthy again after " + (healedAt - t0) + " ms";
    log.add(line);
    SoakLog.line("FAULT " + line);
  }

  /** Starts the node again; a start that fails (the cause is in its output) is retried twice. */
  private void restart(NodeSlot node) {
    for (int attempt = 1; ; attempt++) {
      try {
        node.start();
        return;
      } catch (IllegalStateException e) {
        ledger.count("node restart retried");
        if (attempt == 3) {
          throw e;
        }
        node.close();
      }
    }
  }

  /** Whether the cluster has been quiet long enough for listings to be compared with the clients' sockets. */
  boolean settled() {
    return !active && SoakClock.now() - healedAt >= SoakSettings.SETTLE.toMillis();
  }

  /** Changes whenever a fault begins: a listing check spanning a change is discarded. */
  int epoch() {
    return epoch;
  }

  Map<Kind, Integer> injected() {
    return injected;
  }

  List<String> log() {
    return log;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
