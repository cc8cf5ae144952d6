package io.delegatebroker.broker.testkit;

import java.util.ArrayList;
import java.util.List;

/** One scrape of a node's Prometheus text, with look-ups of series by name and labels. */
public final class Scrape {

  private final List<String> lines = new ArrayList<>();

  public Scrape(String text) {
    text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(lines::add);
  }

  /** Scrapes {@code GET /metrics} through the admin client; fails unless it answers 200. */
  public static Scrape of(AdminClient admin) {
    AdminClient.Response r = admin.withKey(null).get("/metrics");
    if (r.status() != 200) {
      throw new AssertionError("GET /metrics answered " + r.status() + ": " + r.body());
    }
    return new Scrape(r.body());
  }

  /**
   * The value of the one series with that name and at least those labels ({@code "outcome", "accepted", ...});
   * fails when none matches.
   */
  public double value(String name, String... labels) {
    Double v = find(name, labels);
    if (v == null) {
      throw new AssertionError("no series " + name + " with labels " + String.join(",", labels));
    }
    return v;
  }

  /** Like {@link #value}, null when no series matches. */
  public Double find(String name, String... labels) {
    for (String line : lines) {
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String series = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      if (!series.equals(name)) {
        continue;
      }
      String labelText = brace < 0 ? "" : line.substring(brace, line.lastIndexOf('}') + 1);
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (!labelText.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
          all = false;
          break;
        }
      }
      if (all) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return null;
  }

  /** Every series line (no comments). */
  public List<String> lines() {
    return List.copyOf(lines);
  }
}
