package io.delegatebroker.broker.net;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Refusal lines that a flood cannot multiply. Per source address and interval, the first {@code fullLines} refused
 * handshakes are logged in full; the rest, and every connection closed before it sent a request (deadline or cap),
 * are only counted, and at the end of the interval each address with such counts gets one summary line:
 * {@code connect refusals summary: from=<address> node=<id> interval=<s>s not_logged=<n> reasons=<reason>:<n>,...}.
 * At most {@code maxAddresses} addresses are tallied per interval; the rest are summed under {@code from=other}, so
 * memory stays bounded under a flood of addresses.
 */
public final class RefusalLog {

  /** The address under which addresses past the bound are tallied. */
  public static final String OTHER = "other";

  private final Logger log;
  private final String nodeId;
  private final int fullLines;
  private final Duration interval;
  private final int maxAddresses;
  private final AtomicReference<ConcurrentHashMap<String, Tally>> tallies =
      new AtomicReference<>(new ConcurrentHashMap<>());

  /** What one address did in the current interval. */
  private static final class Tally {
    int logged;
    long notLogged;
    final Map<String, Long> reasons = new TreeMap<>();
  }

  public RefusalLog(Logger log, String nodeId, int fullLines, Duration interval, int maxAddresses) {
    this.log = log;
    this.nodeId = nodeId;
    this.fullLines = fullLines;
    this.interval = interval;
    this.maxAddresses = maxAddresses;
  }

  /** Writes a summary line for every address at the end of each interval. */
  public void start(Vertx vertx) {
    vertx.setPeriodic(interval.toMillis(), id -> flush());
  }

  /** A refused handshake: logged in full ({@code line}) while the address is under its share, else counted. */
  public void refused(String address, String reason, Supplier<String> line) {
    Tally t = tally(address);
    boolean full;
    synchronized (t) {
      full = t.logged < fullLines;
      if (full) {
        t.logged++;
      } else {
        count(t, reason);
      }
    }
    if (full) {
      log.info(line.get());
    }
  }

  /** A connection closed before it sent a request: only counted. */
  public void closed(String address, String reason) {
    Tally t = tally(address);
    synchronized (t) {
      count(t, reason);
    }
  }

  private static void count(Tally t, String reason) {
    t.notLogged++;
    t.reasons.merge(reason, 1L, Long::sum);
  }

  private Tally tally(String address) {
    ConcurrentHashMap<String, Tally> now = tallies.get();
    Tally t = now.get(address);
    if (t != null) {
      return t;
    }
    return now.computeIfAbsent(now.size() >= maxAddresses ? OTHER : address, a -> new Tally());
  }

  /** Ends the interval: one summary line per address that had anything not logged in full. */
  public void flush() {
    ConcurrentHashMap<String, Tally> ended = tallies.getAndSet(new ConcurrentHashMap<>());
    ended.forEach((address, t) -> {
      String reasons;
      long notLogged;
      synchronized (t) {
        notLogged = t.notLogged;
        StringBuilder b = new StringBuilder();
        t.reasons.forEach((r, n) -> b.append(b.length() == 0 ? "" : ",").append(r).append(':').append(n));
        reasons = b.toString();
      }
      if (notLogged > 0) {
        log.info("connect refusals summary: from={} node={} interval={}s not_logged={} reasons={}", address, nodeId,
            interval.toSeconds(), notLogged, reasons);
      }
    });
  }
}
