package io.delegatebroker.broker.cluster.command;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.delegatebroker.broker.session.SessionView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's answer to a command: a count (sessions closed, approved, delivered or held), and for listings the
 * sessions or the session counts per token.
 */
public final class NodeReply implements IdentifiedDataSerializable {

  private String node;
  private int count;
  private List<SessionView> sessions = List.of();
  private Map<String, Integer> counts = Map.of();

  public NodeReply() {
  }

  public NodeReply(String node, int count) {
    this.node = node;
    this.count = count;
  }

  public static NodeReply sessions(String node, List<SessionView> sessions) {
    NodeReply r = new NodeReply(node, sessions.size());
    r.sessions = sessions;
    return r;
  }

  public static NodeReply counts(String node, Map<String, Integer> counts) {
    NodeReply r = new NodeReply(node, counts.values().stream().mapToInt(Integer::intValue).sum());
    r.counts = counts;
    return r;
  }

  public String node() {
    return node;
  }

  public int count() {
    return count;
  }

  public List<SessionView> sessions() {
    return sessions;
  }

  public Map<String, Integer> counts() {
    return counts;
  }

  @Override
  public int getFactoryId() {
    return CommandSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return WireType.NODE_REPLY.classId();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(node);
    out.writeInt(count);
    out.writeInt(sessions.size());
    for (SessionView s : sessions) {
      out.writeString(s.delegateId());
      out.writeString(s.delegate());
      out.writeString(s.instance());
      out.writeString(s.tokenId());
      out.writeString(s.node());
      out.writeLong(s.connectedAtMillis());
      out.writeLong(s.lastHeartbeatMillis());
    }
    out.writeInt(counts.size());
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      out.writeString(e.getKey());
      out.writeInt(e.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    count = in.readInt();
    int n = in.readInt();
    CommandSerialization.checkLength(n);
    List<SessionView> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(new SessionView(in.readString(), in.readString(), in.readString(), in.readString(), in.readString(),
          in.readLong(), in.readLong()));
    }
    sessions = list;
    int m = in.readInt();
    CommandSerialization.checkLength(m);
    Map<String, Integer> map = new HashMap<>();
    for (int i = 0; i < m; i++) {
      map.put(in.readString(), in.readInt());
    }
    counts = map;
  }
}
