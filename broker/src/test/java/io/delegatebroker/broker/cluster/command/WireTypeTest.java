package io.delegatebroker.broker.cluster.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verifies that the class ids members exchange stay what they were (members of different versions read each other's
 * commands), and that every type answers with its own id.
 */
class WireTypeTest {

  @Test
  void everyTypeKeepsItsClassIdAndReportsIt() {
    // GIVEN the ids on the wire since the commands went over Hazelcast
    Map<Integer, Class<?>> wire = new LinkedHashMap<>();
    wire.put(1, NodeReply.class);
    wire.put(2, RevokeToken.class);
    wire.put(3, EndDelegate.class);
    wire.put(4, ApproveDelegates.class);
    wire.put(5, SendMessage.class);
    wire.put(6, ForgetProfile.class);
    wire.put(7, ListSessions.class);
    wire.put(8, ClaimInstances.class);
    // THEN each id makes its class, which reports that id under the factory
    assertEquals(wire.size(), WireType.values().length);
    assertEquals(wire.size(), Arrays.stream(WireType.values()).mapToInt(WireType::classId).distinct().count());
    CommandSerialization factory = new CommandSerialization();
    wire.forEach((id, type) -> {
      IdentifiedDataSerializable made = factory.create(id);
      assertEquals(type, made.getClass());
      assertEquals((int) id, made.getClassId());
      assertEquals(CommandSerialization.FACTORY_ID, made.getFactoryId());
    });
    assertNull(factory.create(99));
  }
}
