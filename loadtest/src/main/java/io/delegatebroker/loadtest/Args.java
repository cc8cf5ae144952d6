package io.delegatebroker.loadtest;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options of the load tools, with defaults and one-line errors. */
final class Args {

  private final Map<String, String> values = new HashMap<>();

  Args(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw fail("expected --name value pairs, got '" + a + "'");
      }
      values.put(a.substring(2), args[++i]);
    }
  }

  String string(String name, String def) {
    return values.getOrDefault(name, def);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw fail("--" + name + " is required");
    }
    return v;
  }

  int integer(String name, int def) {
    String v = values.get(name);
    if (v == null) {
      return def;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw fail("--" + name + " must be a number, got '" + v + "'");
    }
  }

  static IllegalArgumentException fail(String message) {
    return new IllegalArgumentException(message);
  }
}
