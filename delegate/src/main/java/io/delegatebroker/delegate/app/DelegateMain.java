package io.delegatebroker.delegate.app;

import ch.qos.logback.classic.LoggerContext;
import io.delegatebroker.delegate.config.ConfigException;
import io.delegatebroker.delegate.config.ConfigLoader;
import io.delegatebroker.delegate.config.DelegateConfig;
import io.delegatebroker.delegate.handler.LoggingMessageHandler;
import io.delegatebroker.delegate.policy.ExitCode;
import io.delegatebroker.signals.StopSignals;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar delegate.jar [config-delegate.yaml]}: reads the configuration, runs the delegate until a rule says
 * stop (or SIGTERM / Ctrl-C), and exits with that rule's {@link ExitCode}. Only wiring lives here.
 */
public final class DelegateMain {

  private static final Logger LOG = LoggerFactory.getLogger("delegate");

  private DelegateMain() {
  }

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    DelegateConfig config;
    try {
      config = ConfigLoader.load(System.getenv(), args.length > 0 ? Path.of(args[0]) : null);
    } catch (ConfigException e) {
      LOG.error("delegate: cannot start: {}", e.getMessage());
      exit(ExitCode.CONFIG);
      return;
    }
    config.warnings().forEach(LOG::warn);
    LOG.info("delegate starting: {}", config);

    Vertx vertx = Vertx.vertx();
    DelegateAgent agent = new DelegateAgent(vertx, client(vertx, config), config, new LoggingMessageHandler());
    // SIGTERM (an orchestrator's stop) and Ctrl-C close the session normally and exit 0.
    StopSignals.onStop(agent::stop);

    ExitCode code;
    try {
      code = agent.run().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      LOG.error("delegate: stopped by an unexpected error: {}", e.toString());
      code = ExitCode.CONFIG;
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("Vert.x did not close in time: {}", e.toString());
    }
    exit(code);
  }

  /** The WebSocket client: TLS trust from {@code DELEGATE_CA_FILE} when set (else the JVM's), host names verified. */
  static WebSocketClient client(Vertx vertx, DelegateConfig config) {
    WebSocketClientOptions options = new WebSocketClientOptions().setConnectTimeout(10_000).setVerifyHost(true);
    config.ca().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return vertx.createWebSocketClient(options);
  }

  private static void exit(ExitCode code) {
    if (code != ExitCode.STOPPED) {
      LOG.info("delegate exiting with status {}: {}", code.status(), code.meaning());
    }
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
    System.exit(code.status());
  }
}
