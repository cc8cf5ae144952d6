package io.delegatebroker.loadtest.sim;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The delegate side of the contract (section 2) in Gatling's DSL, shared by the simulations: connect with the
 * four headers and expect {@code welcome}; heartbeat and expect {@code heartbeat_ack}.
 *
 * <p>Session attributes a delegate needs (from {@link #feeder}): {@code target} (ws://host:port), {@code token},
 * {@code accountId}, {@code delegate}, {@code instance}. The welcome's {@code heartbeatSeconds} is saved as
 * {@code hb}.
 */
public final class DelegateDsl {

  public static final String HEARTBEAT = "{\"type\":\"heartbeat\"}";
  /** Seconds a connect may take until the welcome frame; longer is a failed handshake. */
  public static final int CONNECT_TIMEOUT_SECONDS = Params.integer("connectTimeoutSeconds", 30, 1, 120);
  /** Seconds a heartbeat may wait for its ack. */
  public static final int ACK_TIMEOUT_SECONDS = Params.integer("ackTimeoutSeconds", 10, 1, 120);
  /** A heartbeat period forced by -DheartbeatSeconds; 0 means the welcome's heartbeatSeconds. */
  public static final int HEARTBEAT_OVERRIDE = Params.integer("heartbeatSeconds", 0, 0, 3600);

  private DelegateDsl() {
  }

  /** HTTP protocol for the admin calls; WebSocket URLs are absolute, so they may point at any node. */
  public static HttpProtocolBuilder protocol(String adminUrl) {
    return http.baseUrl(adminUrl)
        .disableWarmUp()
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        .userAgentHeader("delegate-broker-loadtest");
  }

  /** Connects, expects the welcome frame and saves its heartbeat period; a user whose connect failed stops here. */
  public static ChainBuilder connect(String name) {
    return exec(ws(name).connect("#{target}/v1/delegates/connect")
        .header("Authorization", "Delegate #{token}")
        .header("X-Account-Id", "#{accountId}")
        .header("X-Delegate-Name", "#{delegate}")
        .header("X-Delegate-Instance", "#{instance}")
        .await(CONNECT_TIMEOUT_SECONDS).on(
            ws.checkTextMessage(name + ": welcome").check(
                jsonPath("$.type").is("welcome"),
                jsonPath("$.heartbeatSeconds").ofInt().saveAs("hb"),
                jsonPath("$.node").saveAs("node"))))
        .exitHereIfFailed();
  }

  /** Sends a heartbeat and waits for its ack (other frames, if any, are let through). */
  public static ActionBuilder heartbeat(String name) {
    return ws(name).sendText(HEARTBEAT).await(ACK_TIMEOUT_SECONDS).on(
        ws.checkTextMessage(name + ": ack").matching(jsonPath("$.type").is("heartbeat_ack")));
  }

  /** The heartbeat period of this user in milliseconds: -DheartbeatSeconds, else the welcome's. */
  public static long heartbeatMillis(Session s) {
    if (HEARTBEAT_OVERRIDE > 0) {
      return HEARTBEAT_OVERRIDE * 1000L;
    }
    return s.contains("hb") ? Math.max(1, s.getInt("hb")) * 1000L : 30_000L;
  }

  /**
   * An endless feeder of delegate identities: user i is instance {@code i % perDelegate} of delegate
   * {@code <prefix>-d<i / perDelegate>}, connects to target {@code i % targets}, with the token that
   * {@code tokenOfDelegate} picks for its delegate (every instance of a delegate uses the same token).
   */
  public static Iterator<Map<String, Object>> feeder(String prefix, int perDelegate, List<String> targets,
      Supplier<Admin.Fixture> fixture, IntUnaryOperator tokenOfDelegate) {
    return Stream.iterate(0, i -> i + 1).map(i -> {
      Admin.Fixture fx = fixture.get();
      int delegate = i / perDelegate;
      int token = tokenOfDelegate.applyAsInt(delegate);
      Map<String, Object> m = new HashMap<>();
      m.put("index", i);
      m.put("target", targets.get(i % targets.size()));
      m.put("accountId", fx.accountId());
      m.put("token", fx.tokenValues().get(token));
      m.put("tokenName", fx.tokenNames().get(token));
      m.put("delegate", prefix + "-d" + delegate);
      m.put("instance", "i" + (i % perDelegate));
      return m;
    }).iterator();
  }
}
