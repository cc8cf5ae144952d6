package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;

/** Sends an encoded {@code message} frame to the delegate's active sessions; each node answers how many got it. */
public final class SendMessage extends NodeCommand {

  private String delegateId;
  private String frame;

  public SendMessage() {
  }

  public SendMessage(String delegateId, String frame) {
    this.delegateId = delegateId;
    this.frame = frame;
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return new NodeReply(local.nodeId(), local.message(delegateId, frame));
  }

  @Override
  public int getClassId() {
    return WireType.SEND_MESSAGE.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(delegateId);
    out.writeString(frame);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    delegateId = in.readString();
    frame = in.readString();
  }
}
