package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.delegatebroker.broker.session.SessionCommands;
import java.io.IOException;

/**
 * The listings, on the query lane: the sessions of a token or of an account, the session counts per token of an
 * account, or how many sessions the node holds. Each reads one index entry, never every session of the node.
 */
public final class ListSessions extends NodeCommand {

  /** What is listed. */
  public enum Scope { TOKEN, ACCOUNT, ACCOUNT_TOKEN_COUNTS, NODE_COUNT }

  private Scope scope;
  private String id;

  public ListSessions() {
  }

  private ListSessions(Scope scope, String id) {
    this.scope = scope;
    this.id = id;
  }

  public static ListSessions ofToken(String tokenId) {
    return new ListSessions(Scope.TOKEN, tokenId);
  }

  public static ListSessions ofAccount(String accountId) {
    return new ListSessions(Scope.ACCOUNT, accountId);
  }

  public static ListSessions tokenCounts(String accountId) {
    return new ListSessions(Scope.ACCOUNT_TOKEN_COUNTS, accountId);
  }

  public static ListSessions nodeCount() {
    return new ListSessions(Scope.NODE_COUNT, "");
  }

  @Override
  public NodeReply applyTo(SessionCommands local) {
    return switch (scope) {
      case TOKEN -> NodeReply.sessions(local.nodeId(), local.tokenSessions(id));
      case ACCOUNT -> NodeReply.sessions(local.nodeId(), local.accountSessions(id));
      case ACCOUNT_TOKEN_COUNTS -> NodeReply.counts(local.nodeId(), local.tokenCounts(id));
      case NODE_COUNT -> new NodeReply(local.nodeId(), local.count());
    };
  }

  @Override
  public Lane lane() {
    return Lane.QUERY;
  }

  @Override
  public String name() {
    return "ListSessions/" + scope;
  }

  @Override
  public int getClassId() {
    return WireType.LIST_SESSIONS.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(scope.ordinal());
    out.writeString(id);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int s = in.readInt();
    if (s < 0 || s >= Scope.values().length) {
      throw new IOException("unknown listing scope " + s);
    }
    scope = Scope.values()[s];
    id = in.readString();
  }
}
