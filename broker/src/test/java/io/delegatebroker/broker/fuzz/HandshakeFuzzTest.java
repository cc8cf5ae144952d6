package io.delegatebroker.broker.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.Fuzz;
import io.delegatebroker.broker.testkit.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the delegate handshake on a plain socket, below any client library's checks: random, missing, duplicated,
 * very long and non-ASCII values of every delegate header, random extra headers, random methods and paths, and now
 * and then raw bytes that break the HTTP framing. Every answer must be a 101 (only for a fully valid request) or a
 * 4xx with the contract's error body, never a 5xx or a stack trace; the node stays up, and no session is left once
 * the sockets are closed.
 */
@Timeout(120)
class HandshakeFuzzTest {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  static final List<String> TYPES = List.of("KUBERNETES", "DOCKER", "SHELL_SCRIPT", "ECS", "HELM");
  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory().account("Fuzz");

  /** One header value as bytes, and whether the contract calls it valid. */
  record Value(byte[] bytes, boolean valid) {
  }

  @Test
  void randomHandshakesGetTheContractsAnswers() throws Exception {
    Fuzz fuzz = new Fuzz(0x4a5d_5a4eL);
    long deadline = System.nanoTime() + 20_000_000_000L;
    TreeMap<Integer, Integer> statuses = new TreeMap<>();
    int n = 0;
    for (; n < 500 && System.nanoTime() < deadline; n++) {
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      boolean predictable = true;
      boolean valid = true;

      String method = fuzz.chance(0.9) ? "GET" : fuzz.pick(List.of("POST", "PUT", "HEAD", "OPTIONS", "DELETE", "G=T"));
      String path = fuzz.chance(0.9) ? "/v1/delegates/connect" : fuzz.pick(List.of("/", "/v1/delegates", "/v1/delegates/connect/x",
          "/v1/delegates/connect?x=1", "/" + fuzz.name(fuzz.between(1, 50)), "/%ff%00", "*"));
      valid &= method.equals("GET") && path.startsWith("/v1/delegates/connect") && !path.startsWith("/v1/delegates/connect/");
      write(req, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      if (fuzz.chance(0.9)) {
        write(req, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n");
      } else {
        valid = false;
      }
      String name = fuzz.name(fuzz.between(1, 40));
      Value auth = fuzz.chance(0.1) ? new Value(("Delegate " + fuzz.pick(List.of("dt_" + fuzz.name(43), fuzz.string())))
          .getBytes(StandardCharsets.UTF_8), false) : value(fuzz, "Delegate " + node.token(),
              v -> v.equals("Delegate " + node.token()));
      Value account = fuzz.chance(0.1) ? new Value(fuzz.name(16).getBytes(StandardCharsets.ISO_8859_1), false)
          : value(fuzz, node.accountId(), node.accountId()::equals);
      Value delegate = value(fuzz, name, v -> NAME.matcher(v).matches());
      Value instance = optional(fuzz, fuzz.name(fuzz.between(1, 40)), v -> NAME.matcher(v).matches());
      Value type = optional(fuzz, fuzz.pick(TYPES), TYPES::contains);
      Value profile = optional(fuzz, "primary", "primary"::equals);
      String[] headers = {"Authorization", "X-Account-Id", "X-Delegate-Name", "X-Delegate-Instance", "X-Delegate-Type",
          "X-Delegate-Profile"};
      Value[] values = {auth, account, delegate, instance, type, profile};
      for (int i = 0; i < headers.length; i++) {
        valid &= values[i].valid();
        if (values[i].bytes() != null) {
          header(req, headers[i], values[i].bytes());
          if (fuzz.chance(0.03)) {
            // a repeated identity header is refused whatever its copies say
            header(req, headers[i], fuzz.chance(0.5) ? values[i].bytes() : fuzz.string().getBytes(StandardCharsets.UTF_8));
            valid = false;
          }
        }
      }
      boolean framed = true;
      for (int i = fuzz.chance(0.3) ? fuzz.between(1, 3) : 0; i > 0; i--) {
        if (fuzz.chance(0.8)) {
          // an unrelated header with a proper name: ignored, whatever its value (if HTTP accepts the value)
          header(req, "X-Extra-" + fuzz.name(fuzz.between(1, 20)), fuzz.string().getBytes(StandardCharsets.UTF_8));
        } else {
          header(req, fuzz.string(), fuzz.string().getBytes(StandardCharsets.UTF_8));
        }
        predictable = false;
      }
      if (fuzz.chance(0.04)) {
        req.write(fuzz.bytes(fuzz.between(1, 200)));
        write(req, "\r\n");
        predictable = false;
        framed = false;
      }
      write(req, "\r\n");

      // Spread over source addresses so the failed-handshake limit is met only now and then.
      String from = fuzz.chance(0.1) ? "127.2.0.1" : "127.1.0." + fuzz.between(1, 40);
      RawHttp.Response r = RawHttp.sendBytes(from, node.delegatePort(), req.toByteArray());
      String what = "request " + n + " (seed " + fuzz.seed + "): "
          + shorten(req.toString(StandardCharsets.ISO_8859_1).replace(node.token(), "<token>"));
      statuses.merge(r.status(), 1, Integer::sum);

      assertNotEquals(-1, r.status(), "no answer to " + what);
      if (r.status() == 101) {
        assertTrue(valid || !framed, "upgraded an invalid handshake: " + what);
        continue;
      }
      if (method.equals("HEAD")) {
        assertTrue(r.status() >= 400 && r.status() < 500, "status " + r.status() + " for " + what);
        continue;
      }
      fuzz.assertContractError(r.status(), r.body(), what);
      assertFalse(r.body().contains(node.token()), "the token came back: " + what);
      if (predictable && valid) {
        assertEquals(429, r.status(), "a valid handshake was refused: " + what + " -> " + r);
      }
    }
    LoggerFactory.getLogger(HandshakeFuzzTest.class).info("{} handshakes (seed {}), answers by status: {}", n, fuzz.seed,
        statuses);
    // THEN the node is up, nothing is left behind, and the run covered both acceptance and refusals
    assertEquals(200, RawHttp.send("127.0.0.1", node.adminPort(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status());
    Await.until("every session is gone", 15, () -> node.node().sessions().size() == 0);
    assertTrue(n >= 200, "only " + n + " requests in the time");
    assertTrue(statuses.getOrDefault(101, 0) > 0 && statuses.getOrDefault(400, 0) > 0
        && statuses.getOrDefault(401, 0) > 0, "statuses seen: " + statuses);
  }

  /** A required header's value: valid, missing, or one of the random families. */
  private static Value value(Fuzz fuzz, String good, java.util.function.Predicate<String> isValid) {
    double roll = fuzz.random.nextDouble();
    if (roll < 0.8) {
      return new Value(good.getBytes(StandardCharsets.ISO_8859_1), true);
    }
    if (roll < 0.85) {
      return new Value(null, false);
    }
    return random(fuzz, isValid);
  }

  /** An optional header's value: absent (valid), valid, or random. */
  private static Value optional(Fuzz fuzz, String good, java.util.function.Predicate<String> isValid) {
    double roll = fuzz.random.nextDouble();
    if (roll < 0.45) {
      return new Value(null, true);
    }
    if (roll < 0.9) {
      return new Value(good.getBytes(StandardCharsets.ISO_8859_1), true);
    }
    return random(fuzz, isValid);
  }

  private static Value random(Fuzz fuzz, java.util.function.Predicate<String> isValid) {
    switch (fuzz.random.nextInt(4)) {
      case 0: {
        String s = fuzz.string();
        return new Value(s.getBytes(StandardCharsets.UTF_8), isValid.test(s.strip()) && s.equals(s.strip()));
      }
      case 1: {
        byte[] b = fuzz.bytes(fuzz.between(1, 64));
        for (int i = 0; i < b.length; i++) {
          if (b[i] == '\r' || b[i] == '\n') {
            b[i] = '?';
          }
        }
        return new Value(b, false);
      }
      case 2:
        return new Value(fuzz.name(fuzz.between(1_000, 20_000)).getBytes(StandardCharsets.ISO_8859_1), false);
      default: {
        String s = fuzz.unicode(fuzz.between(1, 30));
        return new Value(s.getBytes(StandardCharsets.UTF_8), false);
      }
    }
  }

  private static void header(ByteArrayOutputStream req, String name, byte[] value) {
    write(req, name + ": ");
    req.writeBytes(value);
    write(req, "\r\n");
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String shorten(String s) {
    String flat = s.replace("\r\n", " | ");
    return flat.length() > 400 ? flat.substring(0, 400) + "..." : flat;
  }
}
