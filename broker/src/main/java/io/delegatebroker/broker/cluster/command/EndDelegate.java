package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;

/** Closes a rejected (4003) or deleted (4004) delegate's sessions; each node answers how many it closed. */
public final class EndDelegate extends NodeCommand {

  private String accountId;
  private String delegateId;
  private String name;
  private CloseReason reason;

  public EndDelegate() {
  }

  public EndDelegate(String accountId, String delegateId, String name, CloseReason reason) {
    if (reason != CloseReason.DELEGATE_REJECTED && reason != CloseReason.DELEGATE_DELETED) {
      throw new IllegalArgumentException("not a delegate end: " + reason);
    }
    this.accountId = accountId;
    this.delegateId = delegateId;
    this.name = name;
    this.reason = reason;
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return new NodeReply(local.nodeId(), local.endDelegate(accountId, delegateId, name, reason));
  }

  @Override
  public int getClassId() {
    return WireType.END_DELEGATE.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(accountId);
    out.writeString(delegateId);
    out.writeString(name);
    out.writeBoolean(reason == CloseReason.DELEGATE_REJECTED);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    accountId = in.readString();
    delegateId = in.readString();
    name = in.readString();
    reason = in.readBoolean() ? CloseReason.DELEGATE_REJECTED : CloseReason.DELEGATE_DELETED;
  }
}
