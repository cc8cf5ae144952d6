package io.delegatebroker.delegate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.SelfSignedPem;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifies {@code wss://} with the customer's own certificate authority: with {@code DELEGATE_CA_FILE} naming the PEM
 * that signed the node's certificate the delegate connects (host name checked); without it the TLS handshake fails
 * and the line says which option to set.
 */
@Timeout(120)
class TlsIT {

  @TempDir
  Path dir;

  @Test
  void connectsOverWssWithTheCaFileAndSaysWhatToSetWithoutIt() {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    Map<String, String> nodeEnv = TestNode.env(null);
    nodeEnv.put("BROKER_TLS_CERT", pem.cert().toString());
    nodeEnv.put("BROKER_TLS_KEY", pem.key().toString());
    Vertx vertx = Vertx.vertx();
    try (TestNode node = TestNode.start(nodeEnv)) {
      AdminClient admin = new AdminClient(vertx, new HttpClientOptions().setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(pem.cert().toString()))
          .setDefaultHost("127.0.0.1").setDefaultPort(node.adminPort()), TestNode.ROOT_KEY);
      JsonObject acc = admin.createAccount("tls");
      String token = acc.getJsonObject("defaultToken").getString("value");
      String manager = "https://localhost:" + node.delegatePort();
      Map<String, String> trusted = DelegateProcess.env(acc.getString("id"), token, manager, "tls", "i-1");
      trusted.put("DELEGATE_CA_FILE", pem.cert().toString());
      Map<String, String> untrusted = DelegateProcess.env(acc.getString("id"), token, manager, "tls", "i-2");
      try (DelegateProcess ok = DelegateProcess.start(trusted, List.of(token));
          DelegateProcess refused = DelegateProcess.start(untrusted, List.of(token))) {
        ok.awaitConnected(1, 60);
        assertEquals(1, admin.get("/v1/accounts/" + acc.getString("id") + "/tokens/default").json()
            .getInteger("connectedInstances"));
        refused.awaitLine("TLS handshake failed", 60);
        refused.awaitLine("set DELEGATE_CA_FILE to its PEM file", 5);
        assertEquals(0, refused.count("connected to node"));
      }
    } finally {
      vertx.close();
    }
  }
}
