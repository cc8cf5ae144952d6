package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;

/** Drops a changed profile from every node's cache. */
public final class ForgetProfile extends NodeCommand {

  private String accountId;
  private String name;

  public ForgetProfile() {
  }

  public ForgetProfile(String accountId, String name) {
    this.accountId = accountId;
    this.name = name;
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    local.forgetProfile(accountId, name);
    return new NodeReply(local.nodeId(), 0);
  }

  @Override
  public int getClassId() {
    return WireType.FORGET_PROFILE.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(accountId);
    out.writeString(name);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    accountId = in.readString();
    name = in.readString();
  }
}
