package io.delegatebroker.broker.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.SelfSignedPem;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifies TLS from PEM files ({@code BROKER_TLS_CERT}, {@code BROKER_TLS_KEY}) on both listeners: a delegate connects
 * over {@code wss://} and the admin API answers over {@code https://}, both checked against the node's own
 * certificate (host name verification on); plain {@code ws://} and {@code http://} get no answer and no session.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class TlsTest {

  @TempDir
  static Path dir;
  static SelfSignedPem pem;
  static TestNode node;
  static AdminClient admin;
  static WebSocketClient wss;

  @BeforeAll
  static void start(Vertx vertx) {
    pem = SelfSignedPem.create(dir);
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_TLS_CERT", pem.cert().toString());
    env.put("BROKER_TLS_KEY", pem.key().toString());
    node = TestNode.start(env);
    PemTrustOptions trustNode = new PemTrustOptions().addCertPath(pem.cert().toString());
    admin = new AdminClient(vertx, new HttpClientOptions().setSsl(true).setTrustOptions(trustNode).setVerifyHost(true)
        .setDefaultHost("127.0.0.1").setDefaultPort(node.adminPort()), TestNode.ROOT_KEY);
    wss = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustOptions(trustNode)
        .setVerifyHost(true).setConnectTimeout(10_000));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void delegatesAndOperatorsSpeakTlsAndPlainTextIsRefused(Vertx vertx) {
    // GIVEN an account created over https
    JsonObject account = admin.createAccount("Acme");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    assertEquals(200, admin.withKey(null).get("/health/ready").status());
    assertEquals(200, admin.withKey(null).get("/metrics").status());

    // WHEN a delegate connects over wss://
    WebSocketConnectOptions secure = TestDelegate.options(node.delegatePort(), token, acc, "k8s-east").setSsl(true);
    TestDelegate d = TestDelegate.connect(wss, secure);

    // THEN it is welcomed, heartbeats, and the revoke over https closes it with 4001
    assertEquals("ACTIVE", d.next("welcome").getString("status"));
    d.send(new JsonObject().put("type", "heartbeat"));
    assertEquals("heartbeat_ack", d.next().getString("type"));
    assertEquals(1, admin.revoke(acc, "default").getInteger("evicted"));
    assertEquals(4001, d.awaitClose().code());

    // WHEN a delegate tries plain ws:// with a valid token THEN the handshake fails without an HTTP answer
    String fresh = admin.createToken(acc, "fresh");
    RuntimeException plain = assertThrows(RuntimeException.class, () -> TestDelegate.connect(TestDelegate.client(vertx),
        TestDelegate.options(node.delegatePort(), fresh, acc, "plain")));
    assertFalse(plain instanceof TestDelegate.RefusedException, "a plain-text handshake got an HTTP answer: " + plain);
    // AND plain http:// to the admin port gets no answer either
    AdminClient plainAdmin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    // (the TLS listener closes the connection on the first non-TLS record: "Connection was closed")
    assertThrows(RuntimeException.class, () -> plainAdmin.get("/v1/accounts"));
    Await.until("no session is left", 10, () -> node.node().sessions().size() == 0);
  }
}
