package io.delegatebroker.broker.operating;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An external program the operating tests need (promtool, prometheus), found on the PATH. A missing program fails the
 * test naming the package to install ({@code .ci/run} installs it), it never skips.
 */
final class Tool {

  /** What a finished run printed, and its exit code. */
  record Result(int exitCode, String output) {
  }

  private Tool() {
  }

  /** The program's path; fails when it is not installed. */
  static String find(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    throw new AssertionError(name + " is not installed (Debian package 'prometheus'; .ci/run installs it)");
  }

  /** Runs the program to its end (at most 60 s) in the given directory, stdout and stderr together. */
  static Result run(Path dir, String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(find(name)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish within 60 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
