package io.delegatebroker.broker.cluster.command;

/**
 * The Hazelcast executor a command runs on, on every member. Each lane has its own threads and queue, so a burst of
 * listings (queries) never queues a revocation (control) behind it, and a connect storm's instance claims queue
 * behind neither.
 */
public enum Lane {
  CONTROL("broker.control", 4, 10_000),
  QUERY("broker.query", 2, 10_000),
  CLAIMS("broker.claims", 1, 100_000);

  private final String executor;
  private final int threads;
  private final int queue;

  Lane(String executor, int threads, int queue) {
    this.executor = executor;
    this.threads = threads;
    this.queue = queue;
  }

  public String executor() {
    return executor;
  }

  public int threads() {
    return threads;
  }

  /** Tasks waiting per member before the executor refuses more (the caller then counts that member unconfirmed). */
  public int queue() {
    return queue;
  }
}
