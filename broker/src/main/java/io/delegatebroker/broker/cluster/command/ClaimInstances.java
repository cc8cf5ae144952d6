package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;
import java.util.List;

/**
 * Tells the other nodes which instances just connected here, with their connect stamps; a node holding an older
 * session of one of them closes it with 4005. Fire and forget, batched by {@code InstanceClaims}.
 */
public final class ClaimInstances extends NodeCommand implements Runnable {

  private String node;
  private List<String> instanceKeys;
  private long[] stamps;

  public ClaimInstances() {
  }

  public ClaimInstances(String node, List<String> instanceKeys, long[] stamps) {
    if (instanceKeys.size() != stamps.length) {
      throw new IllegalArgumentException("one stamp per instance");
    }
    this.node = node;
    this.instanceKeys = List.copyOf(instanceKeys);
    this.stamps = stamps.clone();
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return new NodeReply(local.nodeId(), local.yieldInstances(node, instanceKeys, stamps));
  }

  @Override
  public void run() {
    call();
  }

  @Override
  public Lane lane() {
    return Lane.CLAIMS;
  }

  @Override
  public int getClassId() {
    return WireType.CLAIM_INSTANCES.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(node);
    writeStrings(out, instanceKeys);
    out.writeLongArray(stamps);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    instanceKeys = readStrings(in);
    stamps = in.readLongArray();
    if (stamps == null || stamps.length != instanceKeys.size()) {
      throw new IOException("one stamp per instance");
    }
  }
}
