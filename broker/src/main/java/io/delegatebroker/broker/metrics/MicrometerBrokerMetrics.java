package io.delegatebroker.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** {@link BrokerMetrics} on Micrometer; series are documented in {@code docs/METRICS.md}. */
public final class MicrometerBrokerMetrics implements BrokerMetrics {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer revocation;

  public MicrometerBrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.revocation = Timer.builder("broker_revocation_latency")
        .description("Time from a revoke request to the end of local eviction on this node")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  /** Registers gauges read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    io.micrometer.core.instrument.Gauge.builder(name, value).description(description).tags(tags).register(registry);
  }

  private Counter counter(String name, String tagKey, String tagValue, String description) {
    return counters.computeIfAbsent(name + '|' + tagValue, k -> Counter.builder(name).description(description)
        .tag(tagKey, tagValue).register(registry));
  }

  @Override
  public void connectAccepted() {
    counter("broker_connect_attempts", "outcome", "accepted", "Delegate handshakes by outcome").increment();
  }

  @Override
  public void connectRefused(String reason) {
    counter("broker_connect_attempts", "outcome", reason, "Delegate handshakes by outcome").increment();
  }

  @Override
  public void sessionEnded(String cause) {
    counter("broker_evictions", "cause", cause, "Sessions closed by the broker, by cause").increment();
  }

  @Override
  public void revocationLatency(long millis) {
    revocation.record(Duration.ofMillis(millis));
  }
}
