package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;
import java.util.List;

/** Approves pending delegates: their live sessions receive {@code approved}; cached registrations are dropped. */
public final class ApproveDelegates extends NodeCommand {

  private String accountId;
  private List<String> delegateIds;
  private List<String> names;

  public ApproveDelegates() {
  }

  public ApproveDelegates(String accountId, List<String> delegateIds, List<String> names) {
    this.accountId = accountId;
    this.delegateIds = List.copyOf(delegateIds);
    this.names = List.copyOf(names);
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return new NodeReply(local.nodeId(), local.approve(accountId, delegateIds, names));
  }

  @Override
  public int getClassId() {
    return WireType.APPROVE_DELEGATES.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(accountId);
    writeStrings(out, delegateIds);
    writeStrings(out, names);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    accountId = in.readString();
    delegateIds = readStrings(in);
    names = readStrings(in);
  }
}
