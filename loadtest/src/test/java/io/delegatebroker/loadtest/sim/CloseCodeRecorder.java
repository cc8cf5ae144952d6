package io.delegatebroker.loadtest.sim;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records the close code and reason of every WebSocket the server closed, as Gatling reports them.
 *
 * <p>Why a log appender: Gatling's DSL has no check on a close frame, and keeps the code out of the virtual user's
 * session. Its WebSocket state machine does log every server-initiated close, with code and reason as arguments, at
 * DEBUG on {@code io.gatling.http.action.ws.fsm.WsIdleState} (closed between actions) and
 * {@code ...WsPerformingCheckState} (closed while a check waited). logback-test.xml routes exactly those two
 * loggers here (and nowhere else), so the simulation can count closes per code and time the last one. Pinned to
 * Gatling 3.15.1's messages; {@link #seenAnyDebug()} lets a simulation notice if an upgrade changed them.
 */
public final class CloseCodeRecorder extends AppenderBase<ILoggingEvent> {

  private static final Map<String, LongAdder> CLOSES = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> LAST_AT = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> FIRST_AT = new ConcurrentHashMap<>();
  private static volatile boolean seenDebug;

  @Override
  protected void append(ILoggingEvent e) {
    seenDebug = true;
    String msg = e.getMessage();
    if (msg == null || !(msg.startsWith("WebSocket was forcefully closed") || msg.startsWith("WebSocket remotely closed"))) {
      return;
    }
    Object[] args = e.getArgumentArray();
    if (args == null || args.length < 2) {
      return;
    }
    String key = args[0] + " " + args[1];
    long at = e.getTimeStamp();
    CLOSES.computeIfAbsent(key, k -> new LongAdder()).increment();
    LAST_AT.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(at, Math::max);
    FIRST_AT.computeIfAbsent(key, k -> new AtomicLong(Long.MAX_VALUE)).accumulateAndGet(at, Math::min);
  }

  /** Forgets what was recorded (a new run in the same JVM). */
  public static void reset() {
    CLOSES.clear();
    LAST_AT.clear();
    FIRST_AT.clear();
  }

  /** Server closes so far, by "code reason". */
  public static Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    CLOSES.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public static long count(String codeAndReason) {
    LongAdder a = CLOSES.get(codeAndReason);
    return a == null ? 0 : a.sum();
  }

  /** Wall-clock millis of the last close with this code and reason, or -1. */
  public static long lastAt(String codeAndReason) {
    AtomicLong a = LAST_AT.get(codeAndReason);
    return a == null ? -1 : a.get();
  }

  /** Wall-clock millis of the first close with this code and reason, or -1. */
  public static long firstAt(String codeAndReason) {
    AtomicLong a = FIRST_AT.get(codeAndReason);
    return a == null ? -1 : a.get();
  }

  /** True once any routed DEBUG line arrived: proves the logback routing is in place. */
  public static boolean seenAnyDebug() {
    return seenDebug;
  }
}
