package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A command every live node runs on its own sessions, sent to each member over Hazelcast's executor and answered by
 * each with a {@link NodeReply}. Serialized as {@link IdentifiedDataSerializable} (a factory id and a class id, then
 * the fields): no class names travel and Java serialization is never involved. On arrival the member's managed
 * context hands the command this node's {@link SessionCommands}; the work is non-blocking and runs on the lane's own
 * executor thread, which it leaves as soon as it returned.
 */
public abstract class NodeCommand implements Callable<NodeReply>, IdentifiedDataSerializable {

  private transient SessionCommands local;

  /** Set by the receiving member before the command runs. */
  public final void bind(SessionCommands local) {
    this.local = local;
  }

  @Override
  public final NodeReply call() {
    if (local == null) {
      throw new IllegalStateException("this node is not ready for commands yet");
    }
    return applyTo(local);
  }

  /** Runs the command on this node's sessions. */
  public abstract NodeReply applyTo(SessionCommands local);

  /** The executor the command runs on. */
  public Lane lane() {
    return Lane.CONTROL;
  }

  /** What the command is, for logs. */
  public String name() {
    return getClass().getSimpleName();
  }

  @Override
  public final int getFactoryId() {
    return CommandSerialization.FACTORY_ID;
  }

  static void writeStrings(ObjectDataOutput out, List<String> values) throws IOException {
    out.writeInt(values.size());
    for (String v : values) {
      out.writeString(v);
    }
  }

  static List<String> readStrings(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    CommandSerialization.checkLength(n);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readString());
    }
    return out;
  }
}
