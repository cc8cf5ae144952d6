package io.delegatebroker.broker.cluster.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.delegatebroker.broker.session.SessionCommands;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.session.SessionView;
import io.delegatebroker.broker.session.Tombstones;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verifies the cluster plane's wire format with the serialization settings every member gets: commands and replies
 * travel as identified data (fields intact), and a Java-serialized object of a class outside Hazelcast and the core JDK
 * is refused instead of instantiated.
 */
class CommandSerializationTest {

  private final InternalSerializationService wire = wire();

  private static InternalSerializationService wire() {
    SerializationConfig config = new SerializationConfig();
    CommandSerialization.configure(config);
    return new DefaultSerializationServiceBuilder().setConfig(config).build();
  }

  @SuppressWarnings("unchecked")
  private <T> T travel(Object o) {
    return (T) wire.toObject(wire.toData(o));
  }

  @Test
  void aRevokeArrivesWithItsTokenAndHash() {
    List<String> forgotten = new ArrayList<>();
    SessionCommands local = new SessionCommands("node-x", new SessionIndex(new Tombstones(), e -> { }), forgotten::add,
        (a, n) -> { }, (a, n) -> { }, ms -> { });
    NodeCommand arrived = travel(new RevokeToken("token-1", "hash-1"));
    NodeReply reply = travel(arrived.applyTo(local));
    assertEquals(List.of("hash-1"), forgotten);
    assertEquals("node-x", reply.node());
    assertEquals(0, reply.count());
  }

  @Test
  void aListingReplyArrivesWithItsSessionsAndCounts() {
    SessionView s = new SessionView("d1", "k8s", "pod-1", "t1", "node-a", 1000L, 2000L);
    NodeReply listed = travel(NodeReply.sessions("node-a", List.of(s)));
    assertEquals(List.of(s), listed.sessions());
    assertEquals(1, listed.count());
    NodeReply counted = travel(NodeReply.counts("node-b", Map.of("t1", 3, "t2", 4)));
    assertEquals(Map.of("t1", 3, "t2", 4), counted.counts());
    assertEquals(7, counted.count());
  }

  @Test
  void javaSerializedObjectsOfOtherClassesAreRefused() {
    var data = wire.toData(new Gadget("payload"));
    HazelcastSerializationException e = assertThrows(HazelcastSerializationException.class, () -> wire.toObject(data));
    assertInstanceOf(SecurityException.class, e.getCause());
    // Hazelcast's own error responses (Java-serialized exceptions) still pass
    assertInstanceOf(IllegalStateException.class, travel(new IllegalStateException("remote failure")));
  }

  /** Stands for any Serializable class a rogue member might send. */
  record Gadget(String value) implements Serializable {
  }
}
