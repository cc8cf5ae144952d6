package io.delegatebroker.broker.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the delegate lifecycle tests share, as a JUnit extension: one PostgreSQL-backed node on a throwaway database
 * ({@link BrokerNodeExtension}), an admin client with the root key, a WebSocket client, and short-hands for the admin
 * calls and connects the tests repeat. The delegates a test opened are closed after it. Each test makes its own
 * account, so tests of a class do not see each other's delegates.
 */
final class LifecycleKit implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

  private final BrokerNodeExtension broker = BrokerNodeExtension.postgres();
  private final List<TestDelegate> opened = new ArrayList<>();

  private LifecycleKit() {
  }

  static LifecycleKit postgres() {
    return new LifecycleKit();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker.beforeAll(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    closeDelegates();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      closeDelegates();
    } finally {
      broker.afterAll(context);
    }
  }

  AdminClient admin() {
    return broker.admin();
  }

  TestNode node() {
    return broker.testNode();
  }

  /** Restarts the node on the same ports and database; its sessions are closed with 1001 first. */
  void restart() {
    broker.restart();
  }

  Account newAccount() {
    return broker.newAccount("Acme");
  }

  void createProfile(Account acc, String name, boolean approvalRequired, String startupScript) {
    JsonObject body = new JsonObject().put("name", name).put("approvalRequired", approvalRequired);
    if (startupScript != null) {
      body.put("startupScript", startupScript);
    }
    AdminClient.Response r = admin().post(acc.path("/profiles"), body);
    assertEquals(201, r.status(), r.body());
  }

  void updateProfile(Account acc, String name, JsonObject changes) {
    AdminClient.Response r = admin().put(acc.path("/profiles/" + name), changes);
    assertEquals(200, r.status(), r.body());
  }

  /** The connect options of a delegate instance; profile null means the default profile. */
  WebSocketConnectOptions options(Account acc, String token, String name, String instance, String profile) {
    WebSocketConnectOptions o = TestDelegate.options(broker.delegatePort(), token, acc.id(), name);
    if (instance != null) {
      o.addHeader("X-Delegate-Instance", instance);
    }
    if (profile != null) {
      o.addHeader("X-Delegate-Profile", profile);
    }
    return o;
  }

  /** Connects an instance and returns it; its welcome frame is still to be read. Closed by {@link #closeDelegates}. */
  TestDelegate connect(Account acc, String token, String name, String instance, String profile) {
    return track(TestDelegate.connect(broker.ws(), options(acc, token, name, instance, profile)));
  }

  Future<TestDelegate> connectAsync(Account acc, String token, String name, String instance, String profile) {
    return TestDelegate.connectAsync(broker.ws(), options(acc, token, name, instance, profile)).map(this::track);
  }

  private synchronized TestDelegate track(TestDelegate d) {
    opened.add(d);
    return d;
  }

  TestDelegate.Refusal refused(Account acc, String token, String name, String profile) {
    return TestDelegate.refused(broker.ws(), options(acc, token, name, null, profile));
  }

  /** The first frame of a session, which must be its welcome. */
  static JsonObject welcome(TestDelegate d) {
    JsonObject f = d.next();
    assertEquals("welcome", f.getString("type"), "first frame: " + f);
    return f;
  }

  /**
   * Proves that no frame was sent to the delegate before now: a heartbeat's ack is written after anything the broker
   * had already queued on the socket, so if the next frame is the ack, nothing else was queued.
   */
  static void assertNothingQueued(TestDelegate d) {
    d.send(new JsonObject().put("type", "heartbeat"));
    JsonObject f = d.next();
    assertEquals("heartbeat_ack", f.getString("type"), "unexpected frame: " + f);
  }

  JsonArray delegates(Account acc, String status) {
    AdminClient.Response r = admin().get(acc.path("/delegates") + (status == null ? "" : "?status=" + status));
    assertEquals(200, r.status(), r.body());
    return r.items();
  }

  /** The listed delegate of that id, or null when it is not listed. */
  JsonObject listed(Account acc, String status, String delegateId) {
    for (Object o : delegates(acc, status)) {
      JsonObject d = (JsonObject) o;
      if (delegateId.equals(d.getString("id"))) {
        return d;
      }
    }
    return null;
  }

  AdminClient.Response approve(Account acc, String delegateId) {
    return admin().post(acc.path("/delegates/" + delegateId + "/approve"), null);
  }

  AdminClient.Response reject(Account acc, String delegateId) {
    return admin().post(acc.path("/delegates/" + delegateId + "/reject"), null);
  }

  AdminClient.Response delete(Account acc, String delegateId) {
    return admin().delete(acc.path("/delegates/" + delegateId));
  }

  AdminClient.Response message(Account acc, String delegateId, Object body) {
    return admin().post(acc.path("/delegates/" + delegateId + "/messages"), body);
  }

  /** Waits, polling every 50 ms for at most 15 s, until the condition holds; for state the broker changes on its own. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Closes every delegate the tests opened that is still open. */
  synchronized void closeDelegates() {
    for (TestDelegate d : opened) {
      try {
        d.close();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
    opened.clear();
  }
}
