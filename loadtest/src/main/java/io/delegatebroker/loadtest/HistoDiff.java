package io.delegatebroker.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns pairs of {@code jmap -histo:live} outputs (before and after opening N sessions) into per-session bytes,
 * grouped by who owns them (Netty, Vert.x, the broker's own classes, ConcurrentHashMap nodes, strings...), as
 * Markdown tables for docs/BENCHMARKS.md.
 *
 * <p>Usage: {@code HistoDiff <sessions> <label> <before.histo> <after.histo> [<label> <before> <after> ...]}
 */
public final class HistoDiff {

  private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final int TOP = 25;
  /** Lambda classes are named per JVM run ({@code Foo$$Lambda$123/0x...}); counted per declaring class instead. */
  private static final Pattern LAMBDA = Pattern.compile("\\$\\$Lambda\\$\\d+/0x[0-9a-f]+");

  /** Bytes and instances of one class. */
  record Entry(long instances, long bytes) {
  }

  private HistoDiff() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 4 || (args.length - 1) % 3 != 0) {
      System.err.println("usage: HistoDiff <sessions> <label> <before.histo> <after.histo> [<label> <before> <after> ...]");
      System.exit(2);
    }
    long sessions = Long.parseLong(args[0]);
    Map<String, Map<String, Entry>> deltas = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i += 3) {
      deltas.put(args[i], diff(read(Path.of(args[i + 1])), read(Path.of(args[i + 2]))));
    }
    System.out.print(render(sessions, deltas));
  }

  static Map<String, Entry> read(Path file) throws IOException {
    Map<String, Entry> out = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        out.merge(LAMBDA.matcher(m.group(3)).replaceAll("\\$\\$Lambda"),
            new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
            (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
      }
    }
    return out;
  }

  static Map<String, Entry> diff(Map<String, Entry> before, Map<String, Entry> after) {
    Map<String, Entry> d = new HashMap<>();
    TreeSet<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    for (String n : names) {
      Entry b = before.getOrDefault(n, new Entry(0, 0));
      Entry a = after.getOrDefault(n, new Entry(0, 0));
      if (a.bytes != b.bytes || a.instances != b.instances) {
        d.put(n, new Entry(a.instances - b.instances, a.bytes - b.bytes));
      }
    }
    return d;
  }

  /** Who a class's bytes are charged to. */
  static String owner(String cls) {
    String c = cls.startsWith("[L") ? cls.substring(2) : cls;
    if (c.startsWith("io.delegatebroker.loadtest.")) {
      return "io.delegatebroker.loadtest (baseline server code)";
    }
    if (c.startsWith("io.delegatebroker.")) {
      return "io.delegatebroker (broker code)";
    }
    if (c.startsWith("io.netty.")) {
      return "io.netty";
    }
    if (c.startsWith("io.vertx.")) {
      return "io.vertx";
    }
    if (c.startsWith("io.micrometer.")) {
      return "io.micrometer (metrics)";
    }
    if (c.startsWith("com.github.benmanes.caffeine.")) {
      return "caffeine (caches)";
    }
    if (c.startsWith("com.hazelcast.")) {
      return "hazelcast";
    }
    if (c.startsWith("java.util.concurrent.ConcurrentHashMap")) {
      return "ConcurrentHashMap (nodes, tables, key sets)";
    }
    if (cls.equals("[Ljava.lang.Object;")) {
      // In a Vert.x 5 server these are mostly the chunk arrays of the per-connection MPSC queues.
      return "Object[] (mostly Vert.x/Netty queue chunks)";
    }
    if (cls.equals("[B") || c.startsWith("java.lang.String")) {
      return "byte[] / String";
    }
    if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || cls.startsWith("[")) {
      return "other JDK (sockets, selectors, arrays, lambdas)";
    }
    return "other";
  }

  static String render(long sessions, Map<String, Map<String, Entry>> deltas) {
    StringBuilder sb = new StringBuilder();
    List<String> labels = new ArrayList<>(deltas.keySet());
    // By owner.
    Map<String, Map<String, Long>> byOwner = new LinkedHashMap<>();
    for (String label : labels) {
      deltas.get(label).forEach((cls, e) ->
          byOwner.computeIfAbsent(owner(cls), k -> new HashMap<>()).merge(label, e.bytes, Long::sum));
    }
    sb.append("| owner |");
    labels.forEach(l -> sb.append(" ").append(l).append(" bytes/session |"));
    sb.append("\n|---|");
    labels.forEach(l -> sb.append("---:|"));
    sb.append("\n");
    Map<String, Long> totals = new HashMap<>();
    byOwner.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue().getOrDefault(labels.get(0), 0L),
            x.getValue().getOrDefault(labels.get(0), 0L)))
        .forEach(en -> {
          sb.append("| ").append(en.getKey()).append(" |");
          for (String l : labels) {
            long b = en.getValue().getOrDefault(l, 0L);
            totals.merge(l, b, Long::sum);
            sb.append(" ").append(Math.round((double) b / sessions)).append(" |");
          }
          sb.append("\n");
        });
    sb.append("| **total** |");
    labels.forEach(l -> sb.append(" **").append(Math.round((double) totals.getOrDefault(l, 0L) / sessions)).append("** |"));
    sb.append("\n\n");
    // Top classes per label.
    for (String label : labels) {
      sb.append("Top classes, ").append(label).append(" (per session, after minus before):\n\n");
      sb.append("| class | instances/session | bytes/session |\n|---|---:|---:|\n");
      deltas.get(label).entrySet().stream()
          .sorted((x, y) -> Long.compare(y.getValue().bytes, x.getValue().bytes))
          .limit(TOP)
          .forEach(en -> sb.append("| `").append(en.getKey()).append("` | ")
              .append(String.format("%.2f", (double) en.getValue().instances / sessions)).append(" | ")
              .append(Math.round((double) en.getValue().bytes / sessions)).append(" |\n"));
      sb.append("\n");
    }
    if (labels.size() == 2) {
      String a = labels.get(0);
      String b = labels.get(1);
      Map<String, Entry> da = deltas.get(a);
      Map<String, Entry> db = deltas.get(b);
      TreeSet<String> names = new TreeSet<>(da.keySet());
      names.addAll(db.keySet());
      sb.append("Difference by class, ").append(a).append(" minus ").append(b)
          .append(" (per session; what the first holds that the second does not):\n\n");
      sb.append("| class | owner | instances/session | bytes/session |\n|---|---|---:|---:|\n");
      names.stream()
          .map(n -> Map.entry(n, new Entry(
              da.getOrDefault(n, new Entry(0, 0)).instances - db.getOrDefault(n, new Entry(0, 0)).instances,
              da.getOrDefault(n, new Entry(0, 0)).bytes - db.getOrDefault(n, new Entry(0, 0)).bytes)))
          .filter(en -> Math.abs((double) en.getValue().bytes / sessions) >= 1)
          .sorted((x, y) -> Long.compare(Math.abs(y.getValue().bytes), Math.abs(x.getValue().bytes)))
          .limit(TOP)
          .forEach(en -> sb.append("| `").append(en.getKey()).append("` | ").append(owner(en.getKey())).append(" | ")
              .append(String.format("%.2f", (double) en.getValue().instances / sessions)).append(" | ")
              .append(Math.round((double) en.getValue().bytes / sessions)).append(" |\n"));
      sb.append("\n");
    }
    return sb.toString();
  }
}
