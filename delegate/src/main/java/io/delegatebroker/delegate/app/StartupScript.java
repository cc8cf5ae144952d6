package io.delegatebroker.delegate.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The profile's {@code startupScript}: always printed, run with {@code sh -c} only when the operator opted in
 * ({@code DELEGATE_RUN_STARTUP_SCRIPT=true}), once per process, on a worker thread, its exit status logged. Its
 * output goes to the delegate's own output.
 */
final class StartupScript {

  private static final Logger LOG = LoggerFactory.getLogger("delegate");

  private final Vertx vertx;
  private final boolean run;
  private boolean done;
  private boolean announced;

  StartupScript(Vertx vertx, boolean run) {
    this.vertx = vertx;
    this.run = run;
  }

  /** Prints the script; runs it the first time it is called while the delegate is active, if opted in. */
  void offer(String script, boolean active) {
    if (done || script == null || script.isBlank()) {
      return;
    }
    if (!run) {
      done = true;
      LOG.info("profile startup script (not run; set DELEGATE_RUN_STARTUP_SCRIPT=true to run it):\n{}", script);
      return;
    }
    if (!active) {
      if (!announced) {
        announced = true;
        LOG.info("profile startup script (runs once the delegate is approved):\n{}", script);
      }
      return;
    }
    done = true;
    LOG.info("running the profile startup script:\n{}", script);
    Future<Integer> exit = vertx.executeBlocking(() -> runBlocking(script), false);
    exit.onSuccess(code -> LOG.info("startup script exited with {}", code))
        .onFailure(t -> LOG.warn("startup script could not run: {}", t.getMessage()));
  }

  private static int runBlocking(String script) throws IOException, InterruptedException {
    return new ProcessBuilder("sh", "-c", script).inheritIO().start().waitFor();
  }
}
