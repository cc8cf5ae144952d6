package io.delegatebroker.loadtest.sim;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * Connects at a rising rate to find where handshakes start failing or slowing: {@code levels} steps of
 * {@code stepRate} new connections per second starting at {@code startRate}, each level held
 * {@code levelSeconds} (1 s ramps between levels). Every user connects, reads its welcome, stays
 * {@code holdSeconds}, then closes, so the node also sees closes at the same rate once the storm is under way.
 * The highest rate is capped by {@code maxRate}.
 *
 * <p>Read the knee in the report's "Number of responses per second" and response-time percentile charts
 * (loadtest/target/gatling/connectstorm-*). The run fails if more than {@code maxFailedPercent} of handshakes
 * failed or if the 95th percentile handshake (connect to 101) took longer than {@code p95Millis}.
 */
public class ConnectStorm extends Simulation {

  private final int startRate = Params.integer("startRate", 25, 1, 2000);
  private final int stepRate = Params.integer("stepRate", 25, 0, 2000);
  private final int levels = Params.integer("levels", 8, 1, 50);
  private final int maxRate = Params.integer("maxRate", 400, 1, 2000);
  private final Duration level = Params.seconds("levelSeconds", 5, 1, 300);
  private final Duration holdEach = Params.seconds("holdSeconds", 3, 0, 300);
  private final int perDelegate = Params.integer("instancesPerDelegate", 4, 1, 1000);
  private final int maxFailedPercent = Params.integer("maxFailedPercent", 0, 0, 100);
  private final int p95Millis = Params.integer("p95Millis", 1000, 1, 120_000);
  private final List<String> targets = Params.targets();
  private final String adminUrl = Params.adminUrl();
  private final Admin admin = new Admin(adminUrl, Params.adminKey());
  private volatile Admin.Fixture fixture;

  {
    if (startRate + (long) stepRate * (levels - 1) > maxRate) {
      throw new IllegalArgumentException("startRate + stepRate * (levels - 1) = "
          + (startRate + (long) stepRate * (levels - 1)) + " exceeds -DmaxRate=" + maxRate);
    }
    ScenarioBuilder storm = scenario("ConnectStorm")
        .feed(DelegateDsl.feeder("storm", perDelegate, targets, () -> fixture, d -> 0))
        .exec(DelegateDsl.connect("connect"))
        .pause(holdEach)
        .exec(ws("close").close());

    Duration total = level.plusSeconds(1).multipliedBy(levels);
    setUp(storm.injectOpen(incrementUsersPerSec(stepRate)
        .times(levels)
        .eachLevelLasting(level)
        .separatedByRampsLasting(Duration.ofSeconds(1))
        .startingFrom(startRate)))
        .protocols(DelegateDsl.protocol(adminUrl))
        .maxDuration(total.plus(holdEach).plusSeconds(DelegateDsl.CONNECT_TIMEOUT_SECONDS + 30L))
        .assertions(
            details("connect").failedRequests().percent().lte((double) maxFailedPercent),
            details("connect: welcome").failedRequests().percent().lte((double) maxFailedPercent),
            details("connect").responseTime().percentile(95.0).lte(p95Millis));
  }

  /** Creates this run's account and tokens before any user starts. */
  @Override
  public void before() {
    fixture = admin.fixture("storm", 1);
  }
}
