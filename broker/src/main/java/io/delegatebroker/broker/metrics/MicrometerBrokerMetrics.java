package io.delegatebroker.broker.metrics;

import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@link BrokerMetrics} on Micrometer; series are documented in {@code docs/METRICS.md}. Every known outcome and
 * cause is registered at zero up front, so that {@code rate()} and {@code increase()} see the first event and alert
 * rules never compare against a series that does not exist yet.
 */
public final class MicrometerBrokerMetrics implements BrokerMetrics {

  public static final String CONNECT_ATTEMPTS = "broker_connect_attempts";
  public static final String EVICTIONS = "broker_evictions";
  public static final String DELEGATE_CLOSES = "broker_delegate_closes";
  public static final String REVOCATION_LATENCY = "broker_revocation_latency";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer revocation;

  /** @param evictionCauses every {@code CloseReason.cause()}, registered at zero */
  public MicrometerBrokerMetrics(MeterRegistry registry, Collection<String> evictionCauses) {
    this.registry = registry;
    this.revocation = Timer.builder(REVOCATION_LATENCY)
        .description("Time from a revoke request to the end of local eviction on this node")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    attempts(ACCEPTED);
    for (RefusalReason reason : RefusalReason.values()) {
      attempts(reason.asTag());
    }
    evictionCauses.forEach(this::evictions);
    for (DelegateClose how : DelegateClose.values()) {
      delegateCloses(how.asTag());
    }
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).description(description).tags(tags).register(registry);
  }

  /** Registers (or finds) a counter; register every label value at start so that alerts see the first event. */
  public Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Counter attempts(String outcome) {
    return counter(CONNECT_ATTEMPTS, "outcome", outcome, "Delegate handshakes by outcome: accepted or the refusal reason");
  }

  private Counter evictions(String cause) {
    return counter(EVICTIONS, "cause", cause, "Sessions closed by the broker, by cause");
  }

  private Counter delegateCloses(String how) {
    return counter(DELEGATE_CLOSES, "how", how, "Sessions the delegate ended itself: close frame or lost connection");
  }

  private Counter counter(String name, String tagKey, String tagValue, String description) {
    return counters.computeIfAbsent(name + '|' + tagValue, k -> Counter.builder(name).description(description)
        .tag(tagKey, tagValue).register(registry));
  }

  @Override
  public void connectAccepted() {
    attempts(ACCEPTED).increment();
  }

  @Override
  public void connectRefused(RefusalReason reason) {
    attempts(reason.asTag()).increment();
  }

  @Override
  public void sessionEnded(String cause) {
    evictions(cause).increment();
  }

  @Override
  public void sessionClosedByDelegate(DelegateClose how) {
    delegateCloses(how.asTag()).increment();
  }

  @Override
  public void revocationLatency(long millis) {
    revocation.record(Duration.ofMillis(millis));
  }
}
