package io.delegatebroker.delegate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.TestNode;
import io.delegatebroker.delegate.install.Templates;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifies, with {@code delegate.jar} as a separate process against a real broker node, the rule for each close code
 * that ends a delegate (4001-4005) and for each handshake refusal that a retry cannot cure (401, 404): the process
 * exits with its own status and says what to do; also both token variable names and both yaml keys, the pending
 * wait and {@code approved}, heartbeats at the announced period, messages, the startup script, and SIGTERM.
 */
@Timeout(120)
class CloseCodeRulesIT {

  static Vertx vertx;
  static TestNode node;
  static AdminClient admin;
  static String manager;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Map<String, String> env = TestNode.env(null);
    env.put("BROKER_HEARTBEAT_SECONDS", "1"); // a delegate that did not heartbeat would be closed after 3 s
    node = TestNode.start(env);
    admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    manager = "http://127.0.0.1:" + node.delegatePort();
  }

  @AfterAll
  static void stop() {
    node.close();
    vertx.close();
  }

  record Account(String id, String token) {
  }

  static Account account() {
    JsonObject a = admin.createAccount("rules");
    return new Account(a.getString("id"), a.getJsonObject("defaultToken").getString("value"));
  }

  static JsonObject onlyDelegate(String account) {
    List<Object> items = admin.get("/v1/accounts/" + account + "/delegates").items().getList();
    assertEquals(1, items.size(), "one delegate: " + items);
    return JsonObject.mapFrom(items.get(0));
  }

  static void gatedProfile(String account, String script) {
    JsonObject body = new JsonObject().put("name", "gated").put("approvalRequired", true);
    if (script != null) {
      body.put("startupScript", script);
    }
    assertEquals(201, admin.post("/v1/accounts/" + account + "/profiles", body).status());
  }

  /** Verifies a revoke (4001) stops a delegate on the legacy ACCOUNT_SECRET with the line and status 10. */
  @Test
  void revokedTokenExitsAndSaysToPutANewTokenLegacyVariableName() {
    Account acc = account();
    Map<String, String> env = DelegateProcess.env(acc.id(), null, manager, "legacy-env", "i-1");
    env.put("ACCOUNT_SECRET", acc.token());
    try (DelegateProcess d = DelegateProcess.start(env, List.of(acc.token()))) {
      d.awaitConnected(1, 60);
      assertEquals(1, d.count("ACCOUNT_SECRET is deprecated: rename it DELEGATE_TOKEN"), d.output());
      assertEquals(1, admin.revoke(acc.id(), "default").getInteger("evicted"));
      d.assertExits(10, "token revoked: put a new token in DELEGATE_TOKEN and restart [close 4001 token_revoked]", 30);
    }
  }

  /** Verifies a token reaching its expiry (4002) stops the delegate with status 11. */
  @Test
  void expiredTokenExits() {
    Account acc = account();
    String expiresAt = Instant.now().plusSeconds(8).toString();
    String token = admin.post("/v1/accounts/" + acc.id() + "/tokens",
        new JsonObject().put("name", "short").put("expiresAt", expiresAt)).json().getString("value");
    try (DelegateProcess d = DelegateProcess.start(DelegateProcess.env(acc.id(), token, manager, "expiring", "i-1"),
        List.of(token, acc.token()))) {
      d.awaitConnected(1, 60);
      d.assertExits(11, "token expired: put a new token in DELEGATE_TOKEN and restart [close 4002 token_expired]", 40);
    }
  }

  /**
   * Verifies the shell install's config-delegate.yaml (delegateToken) connects; a pending delegate waits and says so,
   * heartbeats at the announced period, and carries on at approved (startup script run, its exit status logged);
   * messages reach the handler; a delete (4004) stops it with status 13.
   */
  @Test
  void pendingThenApprovedThenMessagedThenDeletedFromTheShellYaml() {
    Account acc = account();
    gatedProfile(acc.id(), "echo from-profile-script; exit 3");
    Path yaml = Templates.renderTo(dir, "shell/config-delegate.yaml", acc.id(), acc.token(), manager, "shell-yaml");
    Map<String, String> env = Map.of("DELEGATE_PROFILE", "gated", "DELEGATE_RUN_STARTUP_SCRIPT", "true",
        "DELEGATE_INSTANCE", "host-a", "DELEGATE_RECONNECT_BASE_MS", "200");
    try (DelegateProcess d = DelegateProcess.start(env, List.of(acc.token()), yaml.toString())) {
      // GIVEN a pending delegate
      d.awaitLine("waiting for approval: an operator must approve delegate shell-yaml", 60);
      assertEquals(0, d.count("startup script exited"), "not run while pending");
      JsonObject pending = onlyDelegate(acc.id());
      assertEquals("PENDING_APPROVAL", pending.getString("status"));
      // its session outlives 3 heartbeat periods, heartbeats arriving: the broker would close a silent one
      JsonObject instance = pending.getJsonArray("instances").getJsonObject(0);
      Instant connectedAt = Instant.parse(instance.getString("connectedAt"));
      Await.until("a heartbeat more than 3 periods after connecting", 20, () -> {
        JsonObject now = onlyDelegate(acc.id()).getJsonArray("instances").getJsonObject(0);
        String hb = now.getString("lastHeartbeatAt");
        return hb != null && Instant.parse(hb).isAfter(connectedAt.plusMillis(3500));
      });
      assertEquals(instance.getString("connectedAt"),
          onlyDelegate(acc.id()).getJsonArray("instances").getJsonObject(0).getString("connectedAt"), "same session");
      assertEquals(1, d.count("connected to node"), d.output());

      // WHEN approved
      String id = pending.getString("id");
      assertEquals(200, admin.post("/v1/accounts/" + acc.id() + "/delegates/" + id + "/approve", null).status());
      d.awaitLine("approved by an operator: the delegate is active", 20);
      d.awaitLine("startup script exited with 3", 20);
      assertTrue(d.count("from-profile-script") >= 2, "printed, and its output shown:\n" + d.output());

      // THEN messages reach the handler
      AdminClient.Response sent = admin.post("/v1/accounts/" + acc.id() + "/delegates/" + id + "/messages",
          new JsonObject().put("payload", new JsonObject().put("job", "deploy-42")));
      assertEquals(202, sent.status(), sent.body());
      d.awaitLine("message " + sent.json().getString("id") + ": {\"job\":\"deploy-42\"}", 20);

      // AND a delete stops it
      assertEquals(204, admin.delete("/v1/accounts/" + acc.id() + "/delegates/" + id).status());
      d.assertExits(13, "delegate deleted by an operator", 30);
    }
  }

  /** Verifies the legacy yaml key accountSecret connects (one deprecation line) and a reject (4003) exits 12. */
  @Test
  void rejectedExitsLegacyYamlKey() throws Exception {
    Account acc = account();
    gatedProfile(acc.id(), null);
    Path yaml = Templates.renderTo(dir, "shell/config-delegate.yaml", acc.id(), acc.token(), manager, "old-yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("delegateToken:", "accountSecret:"));
    Map<String, String> env = Map.of("DELEGATE_PROFILE", "gated", "DELEGATE_INSTANCE", "host-b");
    try (DelegateProcess d = DelegateProcess.start(env, List.of(acc.token()), yaml.toString())) {
      d.awaitLine("waiting for approval", 60);
      assertEquals(1, d.count("accountSecret in config-delegate.yaml is deprecated: rename it delegateToken"),
          d.output());
      String id = onlyDelegate(acc.id()).getString("id");
      assertEquals(200, admin.post("/v1/accounts/" + acc.id() + "/delegates/" + id + "/reject", null).status());
      d.assertExits(12, "delegate rejected by an operator", 30);
    }
  }

  /** Verifies a second copy of an instance replaces the first (4005), which exits 14; SIGTERM stops the second, 0. */
  @Test
  void replacedCopyExitsAndSigtermStopsCleanly() {
    Account acc = account();
    Map<String, String> env = DelegateProcess.env(acc.id(), acc.token(), manager, "twin", "same-host");
    try (DelegateProcess first = DelegateProcess.start(env, List.of(acc.token()))) {
      first.awaitConnected(1, 60);
      try (DelegateProcess second = DelegateProcess.start(env, List.of(acc.token()))) {
        second.awaitConnected(1, 60);
        first.assertExits(14, "replaced: another copy of this delegate instance connected", 30);
        assertTrue(second.alive(), "the new copy stays");
        assertTrue(onlyDelegate(acc.id()).getBoolean("connected"));

        second.terminate();
        second.assertExits(0, "session closed: the delegate is stopping", 30);
        Await.until("the stopped copy leaves the listing", 20,
            () -> !onlyDelegate(acc.id()).getBoolean("connected"));
      }
    }
  }

  /** Verifies refusals at the handshake that a retry cannot cure exit at once with their own status: 401, 404. */
  @Test
  void unknownTokenAndMissingProfileExitAtTheHandshake() {
    Account acc = account();
    String bogus = "dt_notATokenOfThisAccount_0123456789abcdefghij";
    Map<String, String> missingProfile = DelegateProcess.env(acc.id(), acc.token(), manager, "p", "i-1");
    missingProfile.put("DELEGATE_PROFILE", "nope");
    try (DelegateProcess badToken = DelegateProcess.start(DelegateProcess.env(acc.id(), bogus, manager, "t", "i-1"),
        List.of(bogus, acc.token()));
        DelegateProcess badProfile = DelegateProcess.start(missingProfile, List.of(acc.token()))) {
      badToken.assertExits(20, "token refused (HTTP 401)", 60);
      badProfile.assertExits(22, "profile not found (HTTP 404)", 60);
      assertEquals(1, badToken.count("token refused (HTTP 401): it is unknown"), "no retry loop:\n" + badToken.output());
    }
  }
}
