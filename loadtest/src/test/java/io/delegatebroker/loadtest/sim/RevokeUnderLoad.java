package io.delegatebroker.loadtest.sim;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Revocation under load, across the nodes of a cluster: {@code victims} sessions use token A, {@code survivors}
 * sessions use token B, both spread round-robin over {@code targets} (one ws:// URL per node) and heartbeating.
 * Once all are up, token A is revoked through the admin API of {@code adminUrl}. The run fails unless:
 * <ul>
 *   <li>before the revoke, the cluster-wide connection listings show every victim and survivor session;</li>
 *   <li>the revoke answers 200 with {@code evicted} = victims and {@code complete: true};</li>
 *   <li>every victim socket was closed by the server with 4001 {@code token_revoked}, and no other socket was
 *       closed by the server (see {@link CloseCodeRecorder});</li>
 *   <li>the last 4001 reached its client within {@code maxRevokeMillis} of sending the revoke;</li>
 *   <li>afterwards no victim session is listed, every survivor still is, and every survivor's heartbeat after the
 *       revoke is acknowledged.</li>
 * </ul>
 * Victims stop heartbeating 2 s before the revoke, so the close lands between actions rather than in a check.
 * With {@code -DresultFile=path} the timings are also written as JSON (bench.sh reads it). Against a single node,
 * pass that one node as the only target.
 */
public class RevokeUnderLoad extends Simulation {

  private static final String CLOSE_4001 = "4001 token_revoked";

  private final int victims = Params.integer("victims", 500, 1, 18_000);
  private final int survivors = Params.integer("survivors", 500, 1, 18_000);
  private final int perDelegate = Params.integer("instancesPerDelegate", 4, 1, 1000);
  private final Duration ramp = Params.seconds("rampSeconds", 20, 0, 900);
  private final Duration settle = Params.seconds("settleSeconds", 10, 1, 600);
  private final Duration grace = Params.seconds("graceSeconds", 5, 1, 120);
  private final int maxRevokeMillis = Params.integer("maxRevokeMillis", 5000, 1, 120_000);
  private final String resultFile = Params.string("resultFile", null);
  private final List<String> targets = Params.targets();
  private final String adminUrl = Params.adminUrl();
  private final String adminKey = Params.adminKey();
  private final Admin admin = new Admin(adminUrl, adminKey);
  private volatile Admin.Fixture fixture;

  /** Shared by the three scenarios of one run (one simulation per JVM run). */
  static final class Timeline {
    static volatile boolean quiet;
    static volatile boolean done;
    static volatile long deadline = Long.MAX_VALUE;
    static volatile long revokeSentAt;
    static volatile long revokeAnsweredAt;
    /** Sessions (victims and survivors) whose connect succeeded: the revoker waits for all of them. */
    static final AtomicInteger connected = new AtomicInteger();
  }

  private final Duration beforeRevoke = ramp.plus(settle);
  /** Everything stops by itself by then, even if the revoker never got through. */
  private final Duration hardStop = beforeRevoke.plusSeconds(2 + 30).plus(grace).plusSeconds(60);

  {
    if (victims + survivors > 18_000) {
      throw new IllegalArgumentException("victims + survivors must stay under 18,000 per Gatling process (open files)");
    }

    ScenarioBuilder victimUsers = scenario("victims")
        .feed(DelegateDsl.feeder("victim", perDelegate, targets, () -> fixture, d -> 0))
        .exec(DelegateDsl.connect("victim connect"))
        .exec(RevokeUnderLoad::markConnected)
        .exec(RevokeUnderLoad::markHeartbeat)
        .asLongAs(s -> !Timeline.quiet && beforeDeadline()).on(
            pause(Duration.ofSeconds(1)),
            doIf(s -> !Timeline.quiet && heartbeatDue(s)).then(
                exec(DelegateDsl.heartbeat("victim heartbeat")).exec(RevokeUnderLoad::markHeartbeat)))
        // Quiet now: the revoke closes the socket while this user waits here.
        .asLongAs(s -> !Timeline.done && beforeDeadline()).on(pause(Duration.ofSeconds(1)))
        .exec(ws("victim close").close());

    ScenarioBuilder survivorUsers = scenario("survivors")
        .feed(DelegateDsl.feeder("survivor", perDelegate, targets, () -> fixture, d -> 1))
        .exec(DelegateDsl.connect("survivor connect"))
        .exec(RevokeUnderLoad::markConnected)
        .exec(RevokeUnderLoad::markHeartbeat)
        .asLongAs(s -> !Timeline.done && beforeDeadline()).on(
            pause(Duration.ofSeconds(1)),
            doIf(RevokeUnderLoad::heartbeatDue).then(
                exec(DelegateDsl.heartbeat("survivor heartbeat")).exec(RevokeUnderLoad::markHeartbeat)))
        .exec(DelegateDsl.heartbeat("survivor heartbeat after revoke"))
        .exec(ws("survivor close").close());

    // The revoker waits for every connect to have succeeded (on a loaded machine the ramp can run late), then for
    // the settle period; a connect that never succeeds holds it until the hard deadline and fails the run.
    ScenarioBuilder revoker = scenario("revoker")
        .pause(ramp)
        .asLongAs(s -> Timeline.connected.get() < victims + survivors && beforeDeadline()).on(
            pause(Duration.ofMillis(200)))
        .pause(settle)
        .exec(listed("victim sessions listed before revoke", 0, victims))
        .exec(listed("survivor sessions listed before revoke", 1, survivors))
        .exec(s -> {
          Timeline.quiet = true;
          return s;
        })
        .pause(Duration.ofSeconds(2))
        .exec(s -> {
          Timeline.revokeSentAt = System.currentTimeMillis();
          return s;
        })
        .exec(auth(http("revoke").post(s -> tokenPath(0) + "/revoke"))
            .check(status().is(200),
                jsonPath("$.status").is("REVOKED"),
                jsonPath("$.evicted").ofInt().saveAs("evicted"),
                jsonPath("$.evicted").ofInt().is(victims),
                jsonPath("$.complete").ofBoolean().is(true)))
        .exec(s -> {
          Timeline.revokeAnsweredAt = System.currentTimeMillis();
          return s;
        })
        .pause(grace)
        .exec(listed("victim sessions listed after revoke", 0, 0))
        .exec(listed("survivor sessions listed after revoke", 1, survivors))
        .exec(auth(http("every victim closed 4001 token_revoked").get("/health/live"))
            .check(bodyString().transform(b -> verdict()).is("ok")))
        .exec(auth(http("revoke to last 4001 within limit").get("/health/live"))
            .check(bodyString().transform(b -> revokeToLastMillis()).lte((long) maxRevokeMillis)))
        .exec(s -> {
          report(s);
          Timeline.done = true;
          return s;
        });

    setUp(
        victimUsers.injectOpen(rampUsers(victims).during(ramp)),
        survivorUsers.injectOpen(rampUsers(survivors).during(ramp)),
        revoker.injectOpen(atOnceUsers(1)))
        .protocols(DelegateDsl.protocol(adminUrl))
        .maxDuration(hardStop.plusSeconds(30))
        .assertions(
            global().failedRequests().count().is(0L),
            details("victim connect").successfulRequests().count().is((long) victims),
            details("survivor connect").successfulRequests().count().is((long) survivors),
            details("revoke").successfulRequests().count().is(1L),
            details("every victim closed 4001 token_revoked").successfulRequests().count().is(1L),
            details("revoke to last 4001 within limit").successfulRequests().count().is(1L),
            details("survivor heartbeat after revoke").successfulRequests().count().is((long) survivors));
  }

  /** Creates this run's account and its two tokens, and starts the timeline. */
  @Override
  public void before() {
    fixture = admin.fixture("revoke", List.of("victim", "survivor"));
    CloseCodeRecorder.reset();
    Timeline.quiet = false;
    Timeline.done = false;
    Timeline.revokeSentAt = 0;
    Timeline.revokeAnsweredAt = 0;
    Timeline.connected.set(0);
    Timeline.deadline = System.currentTimeMillis() + hardStop.toMillis();
  }

  private static boolean beforeDeadline() {
    return System.currentTimeMillis() < Timeline.deadline;
  }

  private static Session markConnected(Session s) {
    if (!s.isFailed()) {
      Timeline.connected.incrementAndGet();
    }
    return s;
  }

  private static Session markHeartbeat(Session s) {
    return s.set("lastHb", System.currentTimeMillis());
  }

  private static boolean heartbeatDue(Session s) {
    return System.currentTimeMillis() - s.getLong("lastHb") >= DelegateDsl.heartbeatMillis(s) - 500;
  }

  private String tokenPath(int token) {
    return "/v1/accounts/" + fixture.accountId() + "/tokens/" + fixture.tokenNames().get(token);
  }

  private HttpRequestActionBuilder auth(HttpRequestActionBuilder request) {
    return request.header("Authorization", "Bearer " + adminKey);
  }

  private ChainBuilder listed(String name, int token, int expected) {
    return exec(auth(http(name).get(s -> tokenPath(token) + "/connections"))
        .check(status().is(200), jsonPath("$.items[*]").count().is(expected)));
  }

  /** "ok" when exactly the victims were closed by the server, all with 4001 token_revoked; else what was seen. */
  private String verdict() {
    if (!CloseCodeRecorder.seenAnyDebug()) {
      return "close codes not observable: logback-test.xml must route Gatling's WsIdleState to CloseCodeRecorder";
    }
    long revoked = CloseCodeRecorder.count(CLOSE_4001);
    long all = CloseCodeRecorder.counts().values().stream().mapToLong(Long::longValue).sum();
    if (revoked == victims && all == revoked) {
      return "ok";
    }
    return "expected " + victims + " x " + CLOSE_4001 + " and no other server close, saw " + CloseCodeRecorder.counts();
  }

  private static long revokeToLastMillis() {
    long last = CloseCodeRecorder.lastAt(CLOSE_4001);
    return last < 0 || Timeline.revokeSentAt == 0 ? Long.MAX_VALUE : last - Timeline.revokeSentAt;
  }

  private void report(Session s) {
    long first = CloseCodeRecorder.firstAt(CLOSE_4001);
    long last = CloseCodeRecorder.lastAt(CLOSE_4001);
    long sent = Timeline.revokeSentAt;
    JsonObject closes = new JsonObject();
    CloseCodeRecorder.counts().forEach(closes::put);
    JsonObject result = new JsonObject()
        .put("nodes", targets.size())
        .put("targets", new JsonArray(targets))
        .put("victims", victims)
        .put("survivors", survivors)
        .put("evicted", s.contains("evicted") ? s.getInt("evicted") : null)
        .put("revokeAnswerMillis", sent > 0 && Timeline.revokeAnsweredAt > 0 ? Timeline.revokeAnsweredAt - sent : null)
        .put("revokeToFirst4001Millis", sent > 0 && first > 0 ? first - sent : null)
        .put("revokeToLast4001Millis", sent > 0 && last > 0 ? last - sent : null)
        .put("serverCloses", closes)
        .put("verdict", verdict());
    System.out.println("REVOKE_RESULT " + result.encode());
    if (resultFile != null) {
      try {
        Files.writeString(Path.of(resultFile), result.encodePrettily() + "\n");
      } catch (IOException e) {
        System.err.println("cannot write " + resultFile + ": " + e.getMessage());
      }
    }
  }
}
