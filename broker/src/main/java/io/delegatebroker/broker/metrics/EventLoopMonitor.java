package io.delegatebroker.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes blocked event loops visible as metrics, which Vert.x's own Micrometer metrics do not:
 * <ul>
 *   <li>{@code broker_event_loop_lag}: every second a daemon thread (not an event loop, so a blocked loop cannot delay
 *   the probe itself) queues a no-op on each event loop and records how long it waited to run. A loop blocked for
 *   3 s shows up as one 3 s sample; while a probe is still queued on a loop no second one is queued behind it.</li>
 *   <li>{@code broker_blocked_thread_warnings}: one count each time Vert.x's blocked-thread checker finds a thread over
 *   its limit (event loops: 2 s; it checks every second). The checker's warning is still logged, as Vert.x does, with
 *   the stack trace once the block exceeds its warning-exception time. This hooks Vert.x's internal checker API.</li>
 * </ul>
 */
public final class EventLoopMonitor {

  public static final String LAG = "broker_event_loop_lag";
  public static final String BLOCKED = "broker_blocked_thread_warnings";
  static final long PROBE_MILLIS = 1000;
  // The logger Vert.x itself reports blocked threads under, so existing log filters keep working.
  private static final Logger BLOCKED_LOG = LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  private final Timer lag;
  private final Counter blockedEventLoop;
  private final Counter blockedWorker;
  private final Map<EventExecutor, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
  private ScheduledExecutorService probe;

  public EventLoopMonitor(MeterRegistry registry) {
    this.lag = Timer.builder(LAG)
        .description("Time a no-op queued every second on each event loop waited before it ran")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    this.blockedEventLoop = blockedCounter(registry, "event-loop");
    this.blockedWorker = blockedCounter(registry, "worker");
  }

  private static Counter blockedCounter(MeterRegistry registry, String pool) {
    return Counter.builder(BLOCKED).tag("pool", pool)
        .description("Checks of Vert.x's blocked-thread checker that found a thread over its time limit")
        .register(registry);
  }

  /** Starts probing the event loops of this Vert.x and counting blocked-thread warnings; stops when it closes. */
  public void start(Vertx vertx) {
    VertxInternal internal = (VertxInternal) vertx;
    internal.blockedThreadChecker().setThreadBlockedHandler(this::blocked);
    probe = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "broker-event-loop-probe");
      t.setDaemon(true);
      return t;
    });
    probe.scheduleAtFixedRate(() -> probe(internal), PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    internal.addCloseHook(completion -> {
      stop();
      completion.succeed();
    });
  }

  public void stop() {
    if (probe != null) {
      probe.shutdownNow();
    }
  }

  private void probe(VertxInternal vertx) {
    for (EventExecutor loop : vertx.eventLoopGroup()) {
      AtomicBoolean queued = inFlight.computeIfAbsent(loop, l -> new AtomicBoolean());
      if (!queued.compareAndSet(false, true)) {
        continue;
      }
      long queuedAt = System.nanoTime();
      try {
        loop.execute(() -> {
          lag.record(System.nanoTime() - queuedAt, TimeUnit.NANOSECONDS);
          queued.set(false);
        });
      } catch (RuntimeException shuttingDown) {
        queued.set(false);
      }
    }
  }

  private void blocked(BlockedThreadEvent event) {
    String name = event.thread().getName();
    (name.startsWith("vert.x-eventloop") ? blockedEventLoop : blockedWorker).increment();
    String message = "Thread " + name + " has been blocked for " + event.duration() / 1_000_000 + " ms, time limit is "
        + event.maxExecTime() / 1_000_000 + " ms";
    if (event.duration() <= event.warningExceptionTime()) {
      BLOCKED_LOG.warn(message);
    } else {
      VertxException where = new VertxException("Thread blocked");
      where.setStackTrace(event.thread().getStackTrace());
      BLOCKED_LOG.warn(message, where);
    }
  }
}
