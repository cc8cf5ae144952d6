package io.delegatebroker.broker.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A node process's memory from outside: live heap bytes after a full collection ({@code jcmd <pid>
 * GC.class_histogram}, whose last line totals every live object; taking it forces the collection) and resident set
 * size ({@code VmRSS} in {@code /proc/<pid>/status}).
 */
final class MemoryProbe {

  /** One reading. */
  record Reading(long liveBytes, long rssBytes) {
  }

  private MemoryProbe() {
  }

  static Reading read(long pid) {
    return new Reading(liveBytes(pid), rssBytes(pid));
  }

  static long liveBytes(long pid) {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd GC.class_histogram failed: " + out);
      }
      String total = out.lines().filter(l -> l.trim().startsWith("Total")).reduce((a, b) -> b)
          .orElseThrow(() -> new IllegalStateException("no Total line in: " + out));
      String[] f = total.trim().split("\\s+");
      return Long.parseLong(f[2]);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("jcmd failed", e);
    }
  }

  static long rssBytes(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D+", "")) * 1024).findFirst().orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }
}
