package io.delegatebroker.broker.lifecycle;

import static io.delegatebroker.broker.lifecycle.LifecycleKit.assertNothingQueued;
import static io.delegatebroker.broker.lifecycle.LifecycleKit.welcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.delegatebroker.broker.gateway.SessionFrames;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension.Account;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies messages both ways: admin API to every connected instance, and a delegate's own frames to the node's consumers. */
@Timeout(120)
class DelegateMessagesTest {

  @RegisterExtension
  static final LifecycleKit kit = LifecycleKit.postgres();

  /** Verifies that a message is delivered to each connected instance, counted, and refused once none is connected. */
  @Test
  void messageReachesEveryConnectedInstance() {
    // GIVEN an active delegate with two instances
    Account acc = kit.newAccount();
    TestDelegate one = kit.connect(acc, acc.token(), "worker", "i-1", null);
    String id = welcome(one).getString("delegateId");
    TestDelegate two = kit.connect(acc, acc.token(), "worker", "i-2", null);
    welcome(two);
    JsonObject payload = new JsonObject().put("task", "deploy").put("args", new JsonArray().add(1).add("x"))
        .put("nested", new JsonObject().put("ok", true));

    // WHEN a message is sent to it
    AdminClient.Response r = kit.message(acc, id, new JsonObject().put("payload", payload));

    // THEN it is accepted for two instances, and each receives it with the same id
    assertEquals(202, r.status(), r.body());
    String messageId = r.json().getString("id");
    assertNotNull(messageId);
    assertEquals(2, r.json().getInteger("delivered"));
    JsonObject expected = new JsonObject().put("type", "message").put("id", messageId).put("payload", payload);
    assertEquals(expected, one.next());
    assertEquals(expected, two.next());

    // WHEN one instance leaves THEN the next message reaches the other only
    one.close();
    LifecycleKit.eventually("instance i-1 gone from the listing",
        () -> kit.listed(acc, null, id).getJsonArray("instances").size() == 1);
    AdminClient.Response r2 = kit.message(acc, id, new JsonObject().put("payload", new JsonObject().put("n", 2)));
    assertEquals(202, r2.status(), r2.body());
    assertEquals(1, r2.json().getInteger("delivered"));
    assertEquals(2, two.next("message").getJsonObject("payload").getInteger("n"));

    // WHEN no instance is connected THEN 404
    two.close();
    LifecycleKit.eventually("delegate shown as disconnected", () -> !kit.listed(acc, null, id).getBoolean("connected"));
    AdminClient.Response none = kit.message(acc, id, new JsonObject().put("payload", new JsonObject()));
    assertEquals(404, none.status(), none.body());
    assertEquals("not_found", none.errorCode());
  }

  /** Verifies that a message without a JSON-object payload is refused with 400, and an unknown delegate with 404. */
  @Test
  void malformedMessagesAreRefused() {
    // GIVEN an active connected delegate
    Account acc = kit.newAccount();
    TestDelegate d = kit.connect(acc, acc.token(), "worker", null, null);
    String id = welcome(d).getString("delegateId");

    // WHEN / THEN each malformed body is refused and nothing is delivered
    for (Object body : List.of(new JsonObject(), new JsonObject().put("payload", "text"),
        new JsonObject().put("payload", new JsonArray().add(1)), new JsonObject().putNull("payload"),
        new JsonObject().put("payload", new JsonObject()).put("extra", 1), "{not json")) {
      AdminClient.Response r = kit.message(acc, id, body);
      assertEquals(400, r.status(), "body " + body + ": " + r.body());
      assertEquals("bad_request", r.errorCode());
    }
    assertNothingQueued(d);
    AdminClient.Response unknown = kit.message(acc, "no-such-delegate", new JsonObject().put("payload", new JsonObject()));
    assertEquals(404, unknown.status(), unknown.body());
  }

  /**
   * Verifies that a delegate's own message frame reaches the node's event-bus consumers with its account, delegate
   * and instance; and that frames of a delegate still waiting for approval are not passed on.
   */
  @Test
  void delegateMessagesReachTheEventBus() throws InterruptedException {
    // GIVEN a consumer of delegates' messages on the node
    LinkedBlockingQueue<Message<JsonObject>> received = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = kit.node().node().vertx().eventBus()
        .consumer(SessionFrames.DELEGATE_MESSAGES_ADDRESS, received::add);
    Await.result(consumer.completion());
    try {
      // AND a pending delegate
      Account acc = kit.newAccount();
      kit.createProfile(acc, "gated", true, null);
      TestDelegate d = kit.connect(acc, acc.token(), "reporter", "pod-7", "gated");
      String id = welcome(d).getString("delegateId");

      // WHEN it sends a message while pending, is approved, and sends another
      d.send(new JsonObject().put("type", "message").put("id", "m0").put("payload", new JsonObject().put("early", true)));
      assertNothingQueued(d); // the broker handles a session's frames in order: once the ack is back, m0 was handled
      assertEquals(200, kit.approve(acc, id).status());
      assertEquals("approved", d.next().getString("type"));
      JsonObject payload = new JsonObject().put("status", "done").put("count", 3);
      d.send(new JsonObject().put("type", "message").put("id", "m1").put("payload", payload));

      // THEN the consumer gets only the second, with the headers that say where it came from
      Message<JsonObject> m = received.poll(15, TimeUnit.SECONDS);
      assertNotNull(m, "no delegate message on the event bus");
      assertEquals(new JsonObject().put("id", "m1").put("payload", payload), m.body());
      assertEquals(acc.id(), m.headers().get("account"));
      assertEquals(id, m.headers().get("delegate"));
      assertEquals("reporter", m.headers().get("delegateName"));
      assertEquals("pod-7", m.headers().get("instance"));

      // AND the session stays open
      assertNothingQueued(d);
    } finally {
      Await.result(consumer.unregister());
    }
  }
}
