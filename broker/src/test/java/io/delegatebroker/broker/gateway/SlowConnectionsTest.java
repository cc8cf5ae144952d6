package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.Flood;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.Scrape;
import io.delegatebroker.broker.testkit.SelfSignedPem;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifies, over real sockets, that slow and half-sent requests cannot hold a node's connections: the handshake
 * deadline on both ports, the keep-alive limit of the admin port, the per-address and total caps on connections that
 * wait for a request, admin keys checked before a body is read, and refusal floods summarised in the log.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class SlowConnectionsTest {

  static final byte[] HALF_LINE = "GET /v1/deleg".getBytes(StandardCharsets.US_ASCII);

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory()
      // (2 s, and the test's admin client drops idle connections after 1 s, so it never reuses one the node is closing)
      .with("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "2")
      .with("BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", "2")
      .with("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "20")
      .with("BROKER_PENDING_HANDSHAKES_TOTAL", "50")
      .with("BROKER_REFUSAL_LOG_INTERVAL_SECONDS", "1")
      .adminOptions(o -> o.setKeepAliveTimeout(1))
      .account("Acme");

  @Test
  void halfSentRequestsAreClosedAtTheDeadlineOnBothPortsWhileSessionsStay(Vertx vertx) throws Exception {
    // GIVEN a welcomed delegate
    TestDelegate d = TestDelegate.connect(TestDelegate.client(vertx), node.delegatePort(), node.token(),
        node.accountId(), "steady", Map.of());
    d.next("welcome");

    // WHEN connections send half a request line, or nothing, on either port
    try (Flood delegateSide = Flood.open("127.0.0.11", node.delegatePort(), 5, HALF_LINE);
        Flood silent = Flood.open("127.0.0.11", node.delegatePort(), 5, new byte[0]);
        Flood adminSide = Flood.open("127.0.0.11", node.adminPort(), 5, "POST /v1/acc".getBytes(StandardCharsets.US_ASCII))) {

      // THEN each is closed by the broker after the 2 s deadline, not before it and not much after
      for (Flood f : List.of(delegateSide, silent, adminSide)) {
        assertEquals(0, f.poll(10_000), "connections still open past the deadline");
        assertEquals(0, f.closedWithin(1_800), "closed before the deadline");
        assertTrue(f.longestHeldMillis() < 8_000, "held " + f.longestHeldMillis() + " ms");
      }
    }

    // AND the welcomed session, older than the deadline, is untouched
    d.send(new JsonObject().put("type", "heartbeat"));
    assertEquals("heartbeat_ack", d.next().getString("type"));
    d.close();
    Scrape s = Scrape.of(node.admin());
    assertTrue(s.value("broker_connections_closed_total", "listener", "delegate", "reason", "handshake_timeout") >= 10);
    assertTrue(s.value("broker_connections_closed_total", "listener", "admin", "reason", "handshake_timeout") >= 5);
  }

  @Test
  void anIdleAdminKeepAliveConnectionIsClosedAfterItsLimit() throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress("127.0.0.12", 0));
      s.connect(new InetSocketAddress("127.0.0.1", node.adminPort()), 5000);
      s.setSoTimeout(10_000);
      // WHEN a keep-alive request is answered and the client then stays silent
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      long answered = System.nanoTime();
      // THEN the broker closes it after the 2 s idle limit
      in.skip(in.available());
      assertEquals(-1, drain(in), "the connection should end");
      long idle = (System.nanoTime() - answered) / 1_000_000;
      assertTrue(idle >= 1_800 && idle < 8_000, "closed after " + idle + " ms");
    }
  }

  @Test
  void connectionsOverThePerAddressAndTotalCapsAreClosedAtOnce(Vertx vertx) throws Exception {
    // (a node of its own, with a deadline long enough to fill both caps on a busy machine)
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "20");
    env.put("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", "20");
    env.put("BROKER_PENDING_HANDSHAKES_TOTAL", "30");
    try (TestNode capped = TestNode.start(env)) {
      AdminClient cappedAdmin = new AdminClient(vertx, capped.adminPort(), TestNode.ROOT_KEY);
      JsonObject a = cappedAdmin.createAccount("Capped");
      // WHEN one address opens 40 silent connections (cap 20 per address), then a second one 40 more (30 in all)
      try (Flood first = Flood.open("127.0.0.13", capped.delegatePort(), 40, new byte[0])) {
        Await.until("the node took the first 40", 20, () -> closedAtCaps(cappedAdmin) == 20);
        try (Flood second = Flood.open("127.0.0.14", capped.delegatePort(), 40, new byte[0])) {
          Await.until("the node took the second 40", 20, () -> closedAtCaps(cappedAdmin) == 50);
          // THEN the first keeps 20 and the second what the total leaves, 10; the others were closed at once
          Await.until("the first address's closes arrive", 10, () -> first.stillOpen() == 20);
          Await.until("the second address's closes arrive", 10, () -> second.stillOpen() == 10);
          Scrape s = Scrape.of(cappedAdmin);
          assertEquals(20, s.value("broker_connections_closed_total", "listener", "delegate", "reason", "address_cap"));
          assertEquals(30, s.value("broker_connections_closed_total", "listener", "delegate", "reason", "total_cap"));
          assertEquals(30, s.value("broker_pending_connections", "listener", "delegate"));
        }
      }
      // AND once the flooding clients go away, their share is free again: a delegate from a flooding address connects
      Await.until("the node forgot the flood", 10, () -> Scrape.of(cappedAdmin)
          .value("broker_pending_connections", "listener", "delegate") == 0);
      TestDelegate d = TestDelegate.connect(vertx.createWebSocketClient(new WebSocketClientOptions()
              .setLocalAddress("127.0.0.14")), capped.delegatePort(), a.getJsonObject("defaultToken").getString("value"),
          a.getString("id"), "after-flood", Map.of());
      assertEquals("ACTIVE", d.next("welcome").getString("status"));
      d.close();
    }
  }

  private static double closedAtCaps(AdminClient admin) {
    Scrape s = Scrape.of(admin);
    return s.value("broker_connections_closed_total", "listener", "delegate", "reason", "address_cap")
        + s.value("broker_connections_closed_total", "listener", "delegate", "reason", "total_cap");
  }

  @Test
  void anUnauthenticatedAdminCallIsRefusedBeforeItsBodyIsRead() throws Exception {
    for (String auth : new String[] {null, "Bearer not-a-key-0123456789"}) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", node.adminPort()), 5000);
        s.setSoTimeout(5_000);
        // WHEN a call announces a 64 KiB body and sends none of it
        s.getOutputStream().write(("POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "Content-Length: 65536\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        // THEN it is answered 401 at once (the broker did not wait for the body) and the connection is closed
        InputStream in = s.getInputStream();
        String head = readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 401"), head);
        assertEquals(-1, drain(in));
      }
    }
  }

  @Test
  void aRefusalFloodWritesAFewLinesAndOneSummaryPerAddress(Vertx vertx) throws Exception {
    try (LogCapture log = LogCapture.open()) {
      // WHEN one address is refused 40 times (unknown tokens, then rate limited)
      var ws = vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress("127.0.0.15"));
      for (int i = 0; i < 40; i++) {
        TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), "dt_guess" + i, node.accountId(), "flood"));
      }
      // THEN at most 5 lines are written in full per interval, and a summary counts the rest by reason
      Await.until("the summary line", 10, () -> log.containing("from=127.0.0.15").stream()
          .filter(l -> l.contains("connect refusals summary:")).mapToLong(SlowConnectionsTest::notLogged).sum()
          + log.containing("connect refused:").stream().filter(l -> l.contains("from=127.0.0.15")).count() == 40);
      List<String> full = log.containing("connect refused:").stream().filter(l -> l.contains("from=127.0.0.15")).toList();
      List<String> summaries = log.containing("connect refusals summary: from=127.0.0.15").stream().toList();
      assertTrue(full.size() <= 5 * summaries.size() + 5, full.size() + " full lines");
      assertTrue(summaries.get(0).contains("node=" + node.nodeId()) && summaries.get(0).contains("reasons="),
          summaries.get(0));
      assertTrue(summaries.stream().anyMatch(l -> l.contains("rate_limited:") || l.contains("unknown:")), summaries.toString());
    }
  }

  @Test
  void withTlsTheDeadlineCoversTheTlsHandshakeAndTheRequest(Vertx vertx, @TempDir Path dir) throws Exception {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_TLS_CERT", pem.cert().toString());
    env.put("BROKER_TLS_KEY", pem.key().toString());
    // (3 s: the test's own TLS handshake must fit in it on a busy machine)
    env.put("BROKER_HANDSHAKE_TIMEOUT_SECONDS", "3");
    try (TestNode tls = TestNode.start(env);
        // WHEN connections never start their TLS handshake
        Flood silent = Flood.open("127.0.0.16", tls.delegatePort(), 3, new byte[0]);
        // AND one completes its TLS handshake but never sends a request
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trustAll().getSocketFactory().createSocket()) {
      s.bind(new InetSocketAddress("127.0.0.16", 0));
      s.connect(new InetSocketAddress("127.0.0.1", tls.delegatePort()), 5000);
      s.startHandshake();
      s.setSoTimeout(10_000);
      long handshaken = System.nanoTime();
      // THEN all are closed by the deadline
      assertEquals(-1, drain(s.getInputStream()), "the TLS connection should end");
      long held = (System.nanoTime() - handshaken) / 1_000_000;
      assertTrue(held >= 2_500 && held < 10_000, "closed after " + held + " ms");
      assertEquals(0, silent.poll(15_000));
      assertTrue(silent.longestHeldMillis() >= 2_500 && silent.longestHeldMillis() < 10_000,
          "held " + silent.longestHeldMillis() + " ms");
      AdminClient tlsAdmin = new AdminClient(vertx, new HttpClientOptions().setSsl(true).setTrustAll(true)
          .setDefaultHost("127.0.0.1").setDefaultPort(tls.adminPort()), TestNode.ROOT_KEY);
      assertTrue(Scrape.of(tlsAdmin).value("broker_connections_closed_total", "listener", "delegate",
          "reason", "handshake_timeout") >= 1);
    }
  }

  private static javax.net.ssl.SSLContext trustAll() throws Exception {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
      }

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  private static long notLogged(String line) {
    int i = line.indexOf("not_logged=");
    return Long.parseLong(line.substring(i + 11, line.indexOf(' ', i)));
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      b.append((char) c);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return b.toString();
  }

  /** Reads to the end of the stream; returns -1 there (a reset counts as the end too). */
  private static int drain(InputStream in) {
    try {
      while (in.read() >= 0) {
        // the rest of an answer's body
      }
      return -1;
    } catch (java.net.SocketTimeoutException e) {
      return 0;
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
