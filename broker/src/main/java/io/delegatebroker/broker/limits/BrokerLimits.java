package io.delegatebroker.broker.limits;

import java.time.Duration;

/**
 * Every operating limit and deadline of a node, as data: the wiring passes each to the class that enforces it. The
 * first seven are read from environment variables (named on each {@code DEFAULT_*}); the rest are fixed, set here.
 * The README's limits table is checked against these defaults by a test. Out-of-range values are refused with
 * {@link IllegalArgumentException} naming the variable (or, for a fixed limit, the component).
 */
public record BrokerLimits(
    int handshakeFailureLimit,
    int handshakeTimeoutSeconds,
    int adminIdleTimeoutSeconds,
    int pendingPerAddress,
    int pendingTotal,
    int refusalLogLines,
    int refusalLogIntervalSeconds,
    Duration handshakeFailureWindow,
    int handshakeFailureKeys,
    int refusalLogAddresses,
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int framesPerSecond,
    int tokenCacheEntries,
    Duration tombstonePurgePeriod,
    Duration safetyNetPeriod,
    int safetyNetBatch,
    int listingsPerAccount,
    int listingsWaiting,
    Duration commandDeadline,
    Duration storeCallDeadline,
    Duration storeConnectTimeout,
    int storePoolSize,
    int storePoolWaiting,
    Duration storePoolWait) {

  /**
   * Failed handshakes per source address (and per address and known token) per window
   * ({@code BROKER_HANDSHAKE_FAILURE_LIMIT}).
   */
  public static final int DEFAULT_HANDSHAKE_FAILURE_LIMIT = 30;
  /** Seconds a connection has to deliver a complete request ({@code BROKER_HANDSHAKE_TIMEOUT_SECONDS}). */
  public static final int DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;
  /** Seconds an admin keep-alive connection may wait for its next request ({@code BROKER_ADMIN_IDLE_TIMEOUT_SECONDS}). */
  public static final int DEFAULT_ADMIN_IDLE_TIMEOUT_SECONDS = 30;
  /** Connections from one address waiting for their request, per listener ({@code BROKER_PENDING_HANDSHAKES_PER_ADDRESS}). */
  public static final int DEFAULT_PENDING_PER_ADDRESS = 200;
  /**
   * Connections waiting for their request, per listener: 10% of a 20,000-descriptor node
   * ({@code BROKER_PENDING_HANDSHAKES_TOTAL}).
   */
  public static final int DEFAULT_PENDING_TOTAL = 2000;
  /** Refusal lines logged in full per address per interval; the rest are summed ({@code BROKER_REFUSAL_LOG_LINES}). */
  public static final int DEFAULT_REFUSAL_LOG_LINES = 5;
  /** That interval, and how often summary lines are written ({@code BROKER_REFUSAL_LOG_INTERVAL_SECONDS}). */
  public static final int DEFAULT_REFUSAL_LOG_INTERVAL_SECONDS = 10;

  /** The window of the failed-handshake limit. */
  public static final Duration DEFAULT_HANDSHAKE_FAILURE_WINDOW = Duration.ofMinutes(1);
  /** Addresses and address-token pairs the failed-handshake limit tracks; the least recently used are dropped. */
  public static final int DEFAULT_HANDSHAKE_FAILURE_KEYS = 100_000;
  /** Addresses the refusal log tallies per interval; the rest are summed under {@code from=other}. */
  public static final int DEFAULT_REFUSAL_LOG_ADDRESSES = 10_000;
  /** Longest request line on either port (414 past it). */
  public static final int DEFAULT_MAX_INITIAL_LINE_BYTES = 4096;
  /** Largest request headers on either port (431 past them). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  /** Inbound frames per session per second (1008 past it). */
  public static final int DEFAULT_FRAMES_PER_SECOND = 100;
  /** Tokens whose store answer a node caches; the least recently used are dropped. */
  public static final int DEFAULT_TOKEN_CACHE_ENTRIES = 200_000;
  /** How often revocations older than their retention are forgotten. */
  public static final Duration DEFAULT_TOMBSTONE_PURGE_PERIOD = Duration.ofSeconds(60);
  /** How often every token with live sessions is re-checked in the store: the longest a missed revocation survives. */
  public static final Duration DEFAULT_SAFETY_NET_PERIOD = Duration.ofSeconds(2);
  /** Token ids per safety-net query: bounds the statement and its answer. */
  public static final int DEFAULT_SAFETY_NET_BATCH = 500;
  /** Listings of one account running at once on a node. */
  public static final int DEFAULT_LISTINGS_PER_ACCOUNT = 4;
  /** Listings of one account waiting on a node before more are refused with 503. */
  public static final int DEFAULT_LISTINGS_WAITING = 1_000;
  /** How long a command fanned out to every node (revoke, approve, listings...) waits for their answers (contract). */
  public static final Duration DEFAULT_COMMAND_DEADLINE = Duration.ofSeconds(5);
  /** One store call, from asking for a connection to the last row (503 past it). */
  public static final Duration DEFAULT_STORE_CALL_DEADLINE = Duration.ofSeconds(5);
  /** Opening a new database connection: a host that drops packets must not hold a pool slot for Vert.x's 60 s. */
  public static final Duration DEFAULT_STORE_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Connections in the PostgreSQL pool. */
  public static final int DEFAULT_STORE_POOL_SIZE = 8;
  /** Calls waiting for a pool connection. */
  public static final int DEFAULT_STORE_POOL_WAITING = 10_000;
  /** How long a call waits for a pool connection. */
  public static final Duration DEFAULT_STORE_POOL_WAIT = Duration.ofSeconds(5);

  /** Largest delegate message however fragmented, and largest inflated frame (contract: 1009 past it). Fixed. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;
  /** Largest single WebSocket frame the decoder accepts before the message limit applies. Fixed. */
  public static final int MAX_WEBSOCKET_FRAME_BYTES = 2 * MAX_MESSAGE_BYTES;

  private static final int MANY = 1_000_000;

  public static final BrokerLimits DEFAULTS = new BrokerLimits(DEFAULT_HANDSHAKE_FAILURE_LIMIT,
      DEFAULT_HANDSHAKE_TIMEOUT_SECONDS, DEFAULT_ADMIN_IDLE_TIMEOUT_SECONDS, DEFAULT_PENDING_PER_ADDRESS,
      DEFAULT_PENDING_TOTAL, DEFAULT_REFUSAL_LOG_LINES, DEFAULT_REFUSAL_LOG_INTERVAL_SECONDS);

  /** The limits with the variable-backed values given and every fixed one at its default. */
  public BrokerLimits(int handshakeFailureLimit, int handshakeTimeoutSeconds, int adminIdleTimeoutSeconds,
      int pendingPerAddress, int pendingTotal, int refusalLogLines, int refusalLogIntervalSeconds) {
    this(handshakeFailureLimit, handshakeTimeoutSeconds, adminIdleTimeoutSeconds, pendingPerAddress, pendingTotal,
        refusalLogLines, refusalLogIntervalSeconds, DEFAULT_HANDSHAKE_FAILURE_WINDOW, DEFAULT_HANDSHAKE_FAILURE_KEYS,
        DEFAULT_REFUSAL_LOG_ADDRESSES, DEFAULT_MAX_INITIAL_LINE_BYTES, DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_FRAMES_PER_SECOND, DEFAULT_TOKEN_CACHE_ENTRIES, DEFAULT_TOMBSTONE_PURGE_PERIOD,
        DEFAULT_SAFETY_NET_PERIOD, DEFAULT_SAFETY_NET_BATCH, DEFAULT_LISTINGS_PER_ACCOUNT, DEFAULT_LISTINGS_WAITING,
        DEFAULT_COMMAND_DEADLINE, DEFAULT_STORE_CALL_DEADLINE, DEFAULT_STORE_CONNECT_TIMEOUT, DEFAULT_STORE_POOL_SIZE,
        DEFAULT_STORE_POOL_WAITING, DEFAULT_STORE_POOL_WAIT);
  }

  /** Range checks, named after the variable where there is one. */
  public BrokerLimits {
    inRange("BROKER_HANDSHAKE_FAILURE_LIMIT", handshakeFailureLimit, 1, MANY);
    inRange("BROKER_HANDSHAKE_TIMEOUT_SECONDS", handshakeTimeoutSeconds, 1, 300);
    inRange("BROKER_ADMIN_IDLE_TIMEOUT_SECONDS", adminIdleTimeoutSeconds, 1, 3600);
    inRange("BROKER_PENDING_HANDSHAKES_PER_ADDRESS", pendingPerAddress, 1, MANY);
    inRange("BROKER_PENDING_HANDSHAKES_TOTAL", pendingTotal, 1, MANY);
    inRange("BROKER_REFUSAL_LOG_LINES", refusalLogLines, 0, MANY);
    inRange("BROKER_REFUSAL_LOG_INTERVAL_SECONDS", refusalLogIntervalSeconds, 1, 3600);
    if (pendingPerAddress > pendingTotal) {
      throw new IllegalArgumentException(
          "BROKER_PENDING_HANDSHAKES_PER_ADDRESS must not be over BROKER_PENDING_HANDSHAKES_TOTAL");
    }
    positive("handshakeFailureWindow", handshakeFailureWindow);
    inRange("handshakeFailureKeys", handshakeFailureKeys, 1, 100 * MANY);
    inRange("refusalLogAddresses", refusalLogAddresses, 1, 100 * MANY);
    inRange("maxInitialLineBytes", maxInitialLineBytes, 64, MANY);
    inRange("maxHeaderBytes", maxHeaderBytes, 256, MANY);
    inRange("framesPerSecond", framesPerSecond, 1, MANY);
    inRange("tokenCacheEntries", tokenCacheEntries, 1, 100 * MANY);
    positive("tombstonePurgePeriod", tombstonePurgePeriod);
    positive("safetyNetPeriod", safetyNetPeriod);
    inRange("safetyNetBatch", safetyNetBatch, 1, 30_000);
    inRange("listingsPerAccount", listingsPerAccount, 1, MANY);
    inRange("listingsWaiting", listingsWaiting, 0, MANY);
    positive("commandDeadline", commandDeadline);
    positive("storeCallDeadline", storeCallDeadline);
    positive("storeConnectTimeout", storeConnectTimeout);
    inRange("storePoolSize", storePoolSize, 1, 10_000);
    inRange("storePoolWaiting", storePoolWaiting, 0, 100 * MANY);
    positive("storePoolWait", storePoolWait);
  }

  private static void inRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
