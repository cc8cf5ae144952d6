package io.delegatebroker.broker.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The soak's progress lines ({@code SOAK ...}: seed, phases, faults, violations): printed, and appended at once to
 * {@code progress.log} in the report directory, because the test runner buffers a forked test's output.
 */
final class SoakLog {

  private static volatile Path file;

  private SoakLog() {
  }

  static void to(Path dir) {
    try {
      Files.createDirectories(dir);
      file = dir.resolve("progress.log");
      Files.deleteIfExists(file);
    } catch (IOException e) {
      file = null;
    }
  }

  static synchronized void line(String text) {
    String line = "SOAK " + text;
    System.out.println(line);
    Path f = file;
    if (f != null) {
      try {
        Files.writeString(f, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException ignored) {
        // progress is a convenience; the report is written at the end
      }
    }
  }
}
