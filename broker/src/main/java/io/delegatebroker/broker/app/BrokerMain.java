package io.delegatebroker.broker.app;

import io.delegatebroker.signals.StopSignals;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code broker.jar}: reads the environment, starts one node, and drains it on SIGTERM. A start
 * failure prints one line naming the cause and exits 1.
 */
public final class BrokerMain {

  private BrokerMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
    BrokerConfig config;
    try {
      config = BrokerConfig.fromEnv(System.getenv());
    } catch (BrokerConfig.ConfigException e) {
      System.err.println("broker: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (config.jsonLogs() && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    Logger log = LoggerFactory.getLogger(BrokerMain.class);
    BrokerNode node = new BrokerNode(config);
    try {
      node.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("broker: cannot start: " + StartupException.rootMessage(cause));
      System.exit(1);
      return;
    }
    if (config.adminKeyGenerated()) {
      // Dev mode only: the one place a key value is ever printed, so a newcomer can call the admin API.
      System.out.println("BROKER_DEV root admin key (shown once): " + config.adminKey());
    }
    System.out.println("broker: node " + config.nodeId() + " accepting delegates on port " + config.delegatePort()
        + ", admin API on port " + config.adminPort());
    // SIGTERM (and Ctrl-C) drain the node and exit 0, as an orchestrator expects from a clean stop.
    CountDownLatch stopping = new CountDownLatch(1);
    StopSignals.onStop(stopping::countDown);
    stopping.await();
    log.info("SIGTERM: draining node {}", config.nodeId());
    int status = 0;
    try {
      node.drain().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("drain did not finish cleanly: {}", StartupException.rootMessage(e));
      status = 1;
    }
    System.exit(status);
  }
}
