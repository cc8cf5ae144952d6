package io.delegatebroker.loadtest.sim;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * A fleet of delegates: {@code users} sessions, {@code instancesPerDelegate} instances per delegate name, spread
 * over {@code targets}, ramped in over {@code rampSeconds}; each reads its welcome, heartbeats at the contract
 * interval for {@code holdSeconds}, then closes. Fails the run unless every connect got its welcome and every
 * heartbeat its ack.
 *
 * <pre>
 * mvn -pl loadtest gatling:test -Dgatling.simulationClass=io.delegatebroker.loadtest.sim.DelegateFleet \
 *   -DadminKey=... -DadminUrl=http://127.0.0.1:18081 -Dtargets=ws://127.0.0.1:18080 -Dusers=1000
 * </pre>
 */
public class DelegateFleet extends Simulation {

  private final int users = Params.integer("users", 1000, 1, 18_000);
  private final int perDelegate = Params.integer("instancesPerDelegate", 4, 1, 1000);
  private final int tokens = Params.integer("tokens", 2, 1, 100);
  private final Duration ramp = Params.seconds("rampSeconds", 30, 0, 900);
  private final Duration hold = Params.seconds("holdSeconds", 90, 1, 3600);
  private final List<String> targets = Params.targets();
  private final String adminUrl = Params.adminUrl();
  private final Admin admin = new Admin(adminUrl, Params.adminKey());
  private volatile Admin.Fixture fixture;

  {
    ScenarioBuilder fleet = scenario("DelegateFleet")
        .feed(DelegateDsl.feeder("fleet", perDelegate, targets, () -> fixture, d -> d % tokens))
        .exec(DelegateDsl.connect("connect"))
        .during(hold).on(
            pause(s -> Duration.ofMillis(DelegateDsl.heartbeatMillis(s))),
            DelegateDsl.heartbeat("heartbeat"))
        .exec(ws("close").close());

    // Bounded whatever happens: ramp + hold + one heartbeat period + slack.
    Duration max = ramp.plus(hold).plusSeconds(Math.max(30, DelegateDsl.HEARTBEAT_OVERRIDE) + 60L);
    setUp(fleet.injectOpen(rampUsers(users).during(ramp)))
        .protocols(DelegateDsl.protocol(adminUrl))
        .maxDuration(max)
        .assertions(
            global().failedRequests().count().is(0L),
            details("connect").successfulRequests().count().is((long) users),
            details("connect: welcome").successfulRequests().count().is((long) users));
  }

  /** Creates this run's account and tokens before any user starts. */
  @Override
  public void before() {
    fixture = admin.fixture("fleet", tokens);
  }
}
