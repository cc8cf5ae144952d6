package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;

/** Closes the token's sessions (4001); each node answers the sessions it closed for the revocation, see {@link SessionCommands#revokeToken}. */
public final class RevokeToken extends NodeCommand {

  private String tokenId;
  private String hash;
  private long sentAtMillis;

  public RevokeToken() {
  }

  public RevokeToken(String tokenId, String hash) {
    this.tokenId = tokenId;
    this.hash = hash;
    this.sentAtMillis = System.currentTimeMillis();
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return new NodeReply(local.nodeId(), local.revokeToken(tokenId, hash, sentAtMillis));
  }

  @Override
  public int getClassId() {
    return WireType.REVOKE_TOKEN.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(tokenId);
    out.writeString(hash);
    out.writeLong(sentAtMillis);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    tokenId = in.readString();
    hash = in.readString();
    sentAtMillis = in.readLong();
  }
}
