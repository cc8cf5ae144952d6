package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.function.Supplier;

/**
 * Every type that travels between members, with its class id under {@link CommandSerialization#FACTORY_ID}. The ids
 * are the wire format that members of different versions share: never renumber or reuse one, add new types at the
 * end. A new command is one constant here and its class.
 */
enum WireType {
  NODE_REPLY(1, NodeReply::new),
  REVOKE_TOKEN(2, RevokeToken::new),
  END_DELEGATE(3, EndDelegate::new),
  APPROVE_DELEGATES(4, ApproveDelegates::new),
  SEND_MESSAGE(5, SendMessage::new),
  FORGET_PROFILE(6, ForgetProfile::new),
  LIST_SESSIONS(7, ListSessions::new),
  CLAIM_INSTANCES(8, ClaimInstances::new);

  private final int classId;
  private final Supplier<IdentifiedDataSerializable> empty;

  WireType(int classId, Supplier<IdentifiedDataSerializable> empty) {
    this.classId = classId;
    this.empty = empty;
  }

  int classId() {
    return classId;
  }

  /** An empty instance of the type with this class id, for Hazelcast to read its fields into; null when unknown. */
  static IdentifiedDataSerializable create(int classId) {
    for (WireType t : values()) {
      if (t.classId == classId) {
        return t.empty.get();
      }
    }
    return null;
  }
}
