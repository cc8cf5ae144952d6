package io.delegatebroker.broker.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;

/**
 * Random inputs for the fuzz tests, from a seeded {@link Random} so a failure can be replayed: pass
 * {@code -Dfuzz.seed=<seed>} (each test prints its seed in every assertion message). Also the one check every
 * refusal must pass: the contract's error body and nothing that looks like a stack trace.
 */
public final class Fuzz {

  public final Random random;
  public final long seed;

  public Fuzz(long defaultSeed) {
    this.seed = Long.getLong("fuzz.seed", defaultSeed);
    this.random = new Random(seed);
  }

  public boolean chance(double p) {
    return random.nextDouble() < p;
  }

  public int between(int min, int maxInclusive) {
    return min + random.nextInt(maxInclusive - min + 1);
  }

  public <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  /** A string from one of several families: names, ASCII, controls, unicode (with lone surrogates), long. */
  public String string() {
    switch (random.nextInt(8)) {
      case 0:
        return "";
      case 1:
        return name(between(1, 128));
      case 2:
        return ascii(between(1, 40));
      case 3:
        return unicode(between(1, 40));
      case 4:
        return controls(between(1, 10));
      case 5:
        return ascii(between(200, 4000));
      case 6:
        return name(between(129, 300));
      default:
        return pick(List.of(" ", "null", "true", "0", "../..", "a/b", "%00", "\u0000", "primary", "default", "ACTIVE",
            "PENDING_APPROVAL", "dt_", "💥", "\ud800", "<script>", "'; DROP TABLE tokens; --"));
    }
  }

  /** A string that matches {@code [A-Za-z0-9._-]}. */
  public String name(int length) {
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(chars.charAt(random.nextInt(chars.length())));
    }
    return b.toString();
  }

  public String ascii(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append((char) between(0x20, 0x7e));
    }
    return b.toString();
  }

  public String controls(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append((char) random.nextInt(0x20));
    }
    return b.toString();
  }

  /** Random code points, astral ones included, and now and then a lone surrogate. */
  public String unicode(int length) {
    StringBuilder b = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      if (chance(0.05)) {
        b.append((char) between(0xd800, 0xdfff));
      } else {
        int cp = chance(0.2) ? between(0x10000, 0x10ffff) : between(0xa0, 0xfffd);
        if (cp >= 0xd800 && cp <= 0xdfff) {
          cp = 0xe000;
        }
        b.appendCodePoint(cp);
      }
    }
    return b.toString();
  }

  public byte[] bytes(int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  /** A random JSON value: scalars, strings of every family, arrays and objects nested up to {@code depth}. */
  public Object json(int depth) {
    int kind = random.nextInt(depth <= 0 ? 6 : 8);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return random.nextBoolean();
      case 2:
        return random.nextInt();
      case 3:
        return pick(List.of(0.5, -1e300, 1e308, Long.MAX_VALUE, Long.MIN_VALUE, -0.0));
      case 4:
      case 5:
        return string();
      case 6: {
        JsonArray a = new JsonArray();
        for (int i = between(0, 4); i > 0; i--) {
          a.add(json(depth - 1));
        }
        return a;
      }
      default: {
        JsonObject o = new JsonObject();
        for (int i = between(0, 4); i > 0; i--) {
          o.put(chance(0.7) ? name(between(1, 12)) : string(), json(depth - 1));
        }
        return o;
      }
    }
  }

  /** JSON nested {@code depth} levels deep, as arrays or objects. */
  public String nested(int depth) {
    return random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  /**
   * Asserts a refusal body is the contract's {@code {"error":{"code","message"}}} with string values and nothing
   * else, and carries no stack trace.
   */
  public void assertContractError(int status, String body, String context) {
    String where = context + " (seed " + seed + ")";
    assertTrue(status >= 400 && status < 500, "status " + status + " for " + where + ": " + body);
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      fail("not a JSON object body, status " + status + " for " + where + ": " + body);
      return;
    }
    assertEquals(1, json.size(), "only 'error' at the top: " + body + " for " + where);
    JsonObject error = json.getJsonObject("error");
    assertEquals(2, error.size(), "only code and message: " + body + " for " + where);
    assertTrue(error.getValue("code") instanceof String c && !c.isEmpty(), body + " for " + where);
    assertTrue(error.getValue("message") instanceof String m && !m.isEmpty(), body + " for " + where);
    for (String trace : new String[] {"Exception", "\tat ", "at io.", "at java.", "io.vertx", "io.netty", "java.lang"}) {
      assertFalse(body.contains(trace), "looks like a stack trace: " + body + " for " + where);
    }
  }
}
