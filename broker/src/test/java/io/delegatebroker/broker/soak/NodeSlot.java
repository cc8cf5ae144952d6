package io.delegatebroker.broker.soak;

import io.delegatebroker.broker.testkit.NodeProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of the cluster's three node positions: a fixed environment (ports, node id, cluster name) and the process that
 * currently runs it, which faults kill, freeze, drain and replace. It keeps the intervals in which its process was
 * frozen, because the eviction invariant gives a frozen node until 5 s after it runs again.
 */
final class NodeSlot {

  enum State { UP, PAUSED, DOWN }

  private final int index;
  private final Map<String, String> env;
  private final List<long[]> pauses = new ArrayList<>();
  private final List<NodeProcess> retired = new ArrayList<>();
  private volatile NodeProcess process;
  private volatile State state = State.DOWN;

  NodeSlot(int index, Map<String, String> env) {
    this.index = index;
    this.env = env;
  }

  int index() {
    return index;
  }

  String nodeId() {
    return env.get("BROKER_NODE_ID");
  }

  int adminPort() {
    return Integer.parseInt(env.get("BROKER_ADMIN_PORT"));
  }

  int delegatePort() {
    return Integer.parseInt(env.get("BROKER_DELEGATE_PORT"));
  }

  State state() {
    return state;
  }

  NodeProcess process() {
    return process;
  }

  /** Starts a process for this slot and waits until it is ready (a restarted node gets the same ports and id). */
  void start() {
    NodeProcess p = NodeProcess.launch(env);
    process = p;
    p.awaitReady(Duration.ofSeconds(120));
    state = State.UP;
  }

  void kill() {
    state = State.DOWN;
    process.signal("KILL");
    process.awaitExit(Duration.ofSeconds(30));
    retired.add(process);
  }

  /** SIGTERM; returns the exit code (the contract says 0). */
  int drain() {
    state = State.DOWN;
    process.signal("TERM");
    int code = process.awaitExit(Duration.ofSeconds(45));
    retired.add(process);
    return code;
  }

  synchronized void freeze() {
    process.signal("STOP");
    state = State.PAUSED;
    pauses.add(new long[] {SoakClock.now(), Long.MAX_VALUE});
  }

  synchronized void thaw() {
    process.signal("CONT");
    pauses.get(pauses.size() - 1)[1] = SoakClock.now();
    state = State.UP;
  }

  /**
   * When a command given at {@code base} can at the earliest be expected to have acted: the end of every freeze
   * that began before {@code base + grace} and had not ended by the time reached so far.
   */
  synchronized long effectiveStart(long base, long grace) {
    long t = base;
    for (long[] p : pauses) {
      if (p[0] <= t + grace && p[1] >= t) {
        t = Math.max(t, p[1]);
      }
    }
    return t;
  }

  /** Output of the current and earlier processes, for a failure message. */
  String outputTail(int chars) {
    StringBuilder b = new StringBuilder();
    for (NodeProcess p : retired) {
      b.append(p.output());
    }
    if (process != null) {
      b.append(process.output());
    }
    return b.length() <= chars ? b.toString() : b.substring(b.length() - chars);
  }

  void close() {
    if (process != null) {
      process.close();
    }
  }
}
