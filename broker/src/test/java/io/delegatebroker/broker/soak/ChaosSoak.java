package io.delegatebroker.broker.soak;

import io.delegatebroker.broker.testkit.PrivatePostgres;
import io.delegatebroker.broker.testkit.TestCluster;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The chaos soak, driven entirely from outside the broker: three {@code broker.jar} processes on one private
 * PostgreSQL, a fleet of WebSocket delegates, an operator on the admin API and a fault injector, while the ledger and
 * the checks hold the invariants (see {@code docs/BENCHMARKS.md}, "Chaos soak"). Phases: start and warm up (baseline
 * memory with no session), chaos (operations and faults for the configured time), heal and settle, the final checks,
 * then memory again with no session. Every wait is bounded; every process it started is stopped by {@link #close()}.
 */
public final class ChaosSoak implements AutoCloseable {

  static final String ROOT_KEY = "soak-root-key-0123456789abcdef";
  /** Live heap after the soak may exceed the baseline by this fraction or {@link #HEAP_SLACK_BYTES}, if larger. */
  static final double HEAP_TOLERANCE = 0.25;
  static final long HEAP_SLACK_BYTES = 8L << 20;

  private final SoakSettings settings;
  private final Ledger ledger = new Ledger();
  private final SoakAdmin admin = new SoakAdmin(ROOT_KEY);
  private final List<NodeSlot> nodes = new ArrayList<>();
  private final List<String> accounts = new ArrayList<>();
  private final SoakReport report;
  private PrivatePostgres pg;
  private Fleet fleet;

  public ChaosSoak(SoakSettings settings) {
    this.settings = settings;
    this.report = new SoakReport(settings);
  }

  /** Runs the whole soak and returns its report (violations included); throws only when it could not run. */
  public SoakReport run() throws InterruptedException {
    SoakLog.to(settings.out());
    SoakLog.line("seed " + settings.seed() + " (replay: -Dsoak.seed=" + settings.seed() + "), chaos "
        + settings.chaos().toSeconds() + " s, " + settings.clients() + " clients, " + settings.accounts() + " accounts");
    startCluster();
    ClusterWatch watch = new ClusterWatch(nodes, admin);
    if (watch.awaitHealthy(120_000) < 0) {
      throw new IllegalStateException("cluster did not form:\n" + nodes.get(0).outputTail(4000));
    }
    setUpAccounts();
    SoakLog.line("cluster up: " + nodes.stream().map(NodeSlot::nodeId).toList() + "; warm-up");

    // Warm-up: every client connects once, then all leave; the baseline is taken with no session.
    fleet = new Fleet(ledger, nodes, accounts, settings.clients(), settings.seed());
    fleet.start();
    awaitUntil(() -> fleet.connected() >= settings.clients() * 9L / 10, 60_000);
    report.warmupConnected(fleet.connected());
    fleet.stop(20_000);
    awaitUntil(() -> watch.sessions() == 0, 30_000);
    for (NodeSlot n : nodes) {
      report.baseline(n, MemoryProbe.read(n.process().pid()));
    }

    SoakLog.line("baseline taken; chaos phase");
    // Chaos.
    long chaosStart = SoakClock.now();
    long chaosEnd = chaosStart + settings.chaos().toMillis();
    ChaosMonkey monkey = new ChaosMonkey(nodes, pg, watch, ledger, settings, new Random(settings.seed() + 1));
    Operator operator = new Operator(ledger, nodes, accounts, admin, new Random(settings.seed()));
    ListingCheck listings = new ListingCheck(ledger, nodes, admin, monkey, new Random(settings.seed() + 2));
    Random checkRandom = new Random(settings.seed() + 3);
    fleet.start();
    Thread ops = thread("soak-operator", () -> operator.run(chaosEnd));
    Thread faults = thread("soak-faults", () -> {
      try {
        monkey.run(chaosEnd, chaosEnd + 150_000);
      } catch (RuntimeException e) {
        ledger.violation("fault injector stopped: " + e.getMessage());
      }
    });
    var checking = new AtomicBoolean(true);
    Thread checker = thread("soak-checker", () -> {
      long lastListing = 0;
      while (checking.get()) {
        ledger.checkEvictions();
        if (SoakClock.now() - lastListing >= 1000) {
          try {
            listings.check(Ledger.pick(checkRandom, accounts));
          } catch (RuntimeException e) {
            ledger.violation("listing check failed: " + e);
          }
          lastListing = SoakClock.now();
        }
        sleepQuietly(100);
      }
    });
    ops.join(settings.chaos().toMillis() + 60_000);
    faults.join(settings.chaos().toMillis() + 300_000);
    if (faults.isAlive() || ops.isAlive()) {
      ledger.violation("the operator or the fault injector did not finish in time");
      faults.interrupt();
      ops.interrupt();
    }
    long chaosMillis = SoakClock.now() - chaosStart;

    SoakLog.line("chaos phase over after " + chaosMillis + " ms; healing, settling, final checks");
    // Heal and settle: every node up, then a full listing comparison per account.
    if (watch.awaitHealthy(90_000) < 0) {
      ledger.violation("cluster not healthy 90 s after the chaos phase");
    }
    for (Ledger.Token t : ledger.revokesInDoubt()) {
      operator.revoke(t); // settle the tokens whose revoke was never answered
    }
    awaitUntil(monkey::settled, SoakSettings.SETTLE.toMillis() + 5_000);
    int finalListings = 0;
    for (String account : accounts) {
      for (int attempt = 0; attempt < 3 && !listings.check(account); attempt++) {
        sleepQuietly(1000);
      }
      finalListings++;
    }
    awaitUntil(() -> {
      ledger.checkEvictions();
      return ledger.eviction().pendingCount() == 0;
    }, SoakSettings.SAFETY_NET.toMillis() + 5_000);
    checking.set(false);
    checker.join(30_000);
    ledger.checkEvictions();

    // Nothing acknowledged lost.
    FinalCheck last = new FinalCheck(ledger, admin, nodes.get(0));
    last.run(accounts);

    // Memory with no session again.
    fleet.stop(30_000);
    if (!awaitUntil(() -> watch.sessions() == 0, 30_000)) {
      ledger.violation("sessions still listed 30 s after every client left: " + watch.sessions());
    }
    for (NodeSlot n : nodes) {
      MemoryProbe.Reading end = MemoryProbe.read(n.process().pid());
      MemoryProbe.Reading base = report.baselineOf(n);
      report.end(n, end);
      long allowed = base.liveBytes() + Math.max(HEAP_SLACK_BYTES, (long) (base.liveBytes() * HEAP_TOLERANCE));
      if (end.liveBytes() > allowed) {
        ledger.violation("memory: " + n.nodeId() + " holds " + end.liveBytes() + " live bytes with no session after "
            + "the soak, baseline " + base.liveBytes() + " (allowed up to " + allowed + ")");
      }
    }
    report.finish(ledger, monkey, listings, last, chaosMillis, finalListings);
    writeReport();
    return report;
  }

  private void startCluster() {
    pg = PrivatePostgres.start();
    List<Map<String, String>> envs = TestCluster.envs(3, pg.url());
    for (int i = 0; i < envs.size(); i++) {
      Map<String, String> env = envs.get(i);
      env.put("BROKER_NODE_ID", "soak-" + (char) ('a' + i));
      env.put("BROKER_ADMIN_KEY", ROOT_KEY);
      env.put("BROKER_HEARTBEAT_SECONDS", Integer.toString(settings.heartbeat()));
      // Clients share 127.0.0.1 and retry revoked tokens on purpose: the per-address refusal limit is not under test.
      env.put("BROKER_HANDSHAKE_FAILURE_LIMIT", "1000000");
      nodes.add(new NodeSlot(i, env));
    }
    // The first node migrates the schema; the others start once it is up, concurrently.
    nodes.get(0).start();
    nodes.subList(1, nodes.size()).stream().map(n -> CompletableFuture.runAsync(n::start)).toList()
        .forEach(CompletableFuture::join);
  }

  private void setUpAccounts() {
    NodeSlot via = nodes.get(0);
    for (int i = 0; i < settings.accounts(); i++) {
      SoakAdmin.Answer a = admin.post(via, "/v1/accounts", new JsonObject().put("name", "Soak " + i));
      require(a, 201, "account create");
      String id = a.json().getString("id");
      accounts.add(id);
      Ledger.Token t = ledger.token(id, "default");
      synchronized (ledger) {
        t.value = a.json().getJsonObject("defaultToken").getString("value");
        t.createAcked = true;
      }
      require(admin.post(via, "/v1/accounts/" + id + "/profiles",
          new JsonObject().put("name", "gated").put("approvalRequired", true)), 201, "profile create");
    }
    Operator setup = new Operator(ledger, nodes, accounts, admin, new Random(settings.seed() - 1));
    for (String id : accounts) {
      setup.createToken(id);
      setup.createToken(id);
    }
  }

  private static void require(SoakAdmin.Answer a, int status, String what) {
    if (a.status() != status) {
      throw new IllegalStateException(what + " answered " + a.status() + ": " + a.body());
    }
  }

  private void writeReport() {
    try {
      Files.createDirectories(settings.out());
      Files.writeString(settings.out().resolve("report.txt"), report.text());
      Files.writeString(settings.out().resolve("report.json"), report.json().encodePrettily());
      for (NodeSlot n : nodes) {
        Files.writeString(settings.out().resolve(n.nodeId() + ".log"), n.outputTail(2_000_000));
      }
    } catch (IOException e) {
      SoakLog.line("could not write the report: " + e);
    }
    System.out.println(report.text());
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Polls every 100 ms until the condition holds or the time is up; returns whether it held. */
  private static boolean awaitUntil(BooleanSupplier condition, long timeoutMillis) {
    long t0 = SoakClock.now();
    while (SoakClock.now() - t0 < timeoutMillis) {
      if (condition.getAsBoolean()) {
        return true;
      }
      sleepQuietly(100);
    }
    return condition.getAsBoolean();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (fleet != null) {
      fleet.close();
    }
    nodes.parallelStream().forEach(NodeSlot::close);
    if (pg != null) {
      pg.close();
    }
  }
}
