package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies over real sockets that the failed-handshake limit never locks out a valid token: the token rotation of the
 * product docs behind one NAT address, an address that only guesses (limited, and then costing no store query), and
 * client addresses taken from {@code X-Forwarded-For} of a trusted proxy only.
 */
@Timeout(90)
class ValidTokenNeverLockedOutTest {

  static final String PROXY = "127.0.0.30";

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().with("BROKER_HANDSHAKE_FAILURE_LIMIT", "5")
      .with("BROKER_TRUSTED_PROXIES", PROXY).account("Acme");

  static WebSocketClient from(String localAddress) {
    return node.vertx().createWebSocketClient(new WebSocketClientOptions().setLocalAddress(localAddress)
        .setConnectTimeout(10_000));
  }

  static WebSocketConnectOptions as(String token, String name) {
    return TestDelegate.options(node.delegatePort(), token, node.accountId(), name);
  }

  @Test
  void aFleetRetryingItsRevokedTokenNeverLocksOutTheNewTokenBehindTheSameAddress() {
    // GIVEN the docs' rotation: a fleet behind one NAT address on token "old", a new token, then "old" revoked
    WebSocketClient nat = from("127.0.0.21");
    String old = node.admin().createToken(node.accountId(), "old");
    TestDelegate before = TestDelegate.connect(nat, as(old, "fleet-1"));
    before.next("welcome");
    String fresh = node.admin().createToken(node.accountId(), "new");
    node.admin().revoke(node.accountId(), "old");
    assertEquals(4001, before.awaitClose().code());

    // WHEN the fleet keeps retrying the revoked token
    for (int i = 0; i < 5; i++) {
      assertEquals(401, TestDelegate.refused(nat, as(old, "fleet-" + i)).status());
    }
    // THEN it is refused 401, then 429 with Retry-After
    TestDelegate.Refusal limited = TestDelegate.refused(nat, as(old, "fleet-9"));
    assertEquals(429, limited.status());
    assertEquals("rate_limited", limited.code());
    assertNotNull(limited.retryAfter());

    // AND a delegate behind the same address with the new token connects
    TestDelegate rotated = TestDelegate.connect(nat, as(fresh, "fleet-1"));
    assertEquals("ACTIVE", rotated.next("welcome").getString("status"));
    rotated.close();
    // AND the revoked token is still limited
    assertEquals(429, TestDelegate.refused(nat, as(old, "fleet-2")).status());
  }

  @Test
  void anAddressThatOnlyGuessesIsLimitedAndItsGuessesThenCostNoStoreQuery() {
    // GIVEN a valid token this node has verified (a delegate elsewhere uses it)
    String valid = node.admin().createToken(node.accountId(), "valid");
    TestDelegate elsewhere = TestDelegate.connect(from("127.0.0.23"), as(valid, "elsewhere"));
    elsewhere.next("welcome");

    // WHEN an address guesses tokens until it is limited
    WebSocketClient guesser = from("127.0.0.22");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, TestDelegate.refused(guesser, as("dt_guess_" + i, "g")).status());
    }
    double lookups = Scrape.of(node.admin()).value("broker_token_store_lookups_total");
    // THEN every further guess is answered 429 with Retry-After
    for (int i = 0; i < 20; i++) {
      TestDelegate.Refusal r = TestDelegate.refused(guesser, as("dt_more_" + i, "g"));
      assertEquals(429, r.status());
      int retry = Integer.parseInt(r.retryAfter());
      assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    }
    // AND none of them queried the store
    assertEquals(lookups, Scrape.of(node.admin()).value("broker_token_store_lookups_total"));

    // AND a delegate at that address with a token the node knows to be live still connects
    TestDelegate same = TestDelegate.connect(guesser, as(valid, "same-address"));
    assertEquals("ACTIVE", same.next("welcome").getString("status"));
    same.close();
    elsewhere.close();
    // (a valid token this node has never verified waits like a guess: it would cost a store query)
    String unseen = node.admin().createToken(node.accountId(), "unseen");
    assertEquals(429, TestDelegate.refused(guesser, as(unseen, "unseen")).status());
    assertEquals(lookups, Scrape.of(node.admin()).value("broker_token_store_lookups_total"));
  }

  @Test
  void behindATrustedProxyTheLimitSeesTheForwardedClientAndNothingElseTrustsTheHeader() throws Exception {
    try (LogCapture log = LogCapture.open()) {
      WebSocketClient proxy = from(PROXY);
      // WHEN one client behind the trusted proxy guesses until it is limited
      for (int i = 0; i < 5; i++) {
        assertEquals(401, TestDelegate.refused(proxy, as("dt_p_" + i, "p")
            .addHeader("X-Forwarded-For", "10.9.9.1")).status());
      }
      // THEN that client is limited
      assertEquals(429, TestDelegate.refused(proxy, as("dt_p", "p").addHeader("X-Forwarded-For", "10.9.9.1")).status());
      // AND another client behind the same proxy is not, nor is the proxy itself
      assertEquals(401, TestDelegate.refused(proxy, as("dt_q", "q")
          .addHeader("X-Forwarded-For", "10.9.9.1, 10.9.9.2")).status());
      assertEquals(401, TestDelegate.refused(proxy, as("dt_r", "r")).status());
      // AND a client that is not a trusted proxy cannot borrow another's address with the header
      assertEquals(401, TestDelegate.refused(from("127.0.0.31"), as("dt_s", "s")
          .addHeader("X-Forwarded-For", "10.9.9.1")).status());
      // AND the log names the forwarded client, or the untrusted peer
      Await.until("the refusals are logged", 10, () -> log.containing("from=127.0.0.31").size() == 1);
      assertEquals(5, log.containing("from=10.9.9.1 reason=unknown").size(), log.lines().toString());
      assertEquals(1, log.containing("from=10.9.9.2 reason=unknown").size());
      assertEquals(1, log.containing("from=" + PROXY + " reason=unknown").size());
    }
  }
}
