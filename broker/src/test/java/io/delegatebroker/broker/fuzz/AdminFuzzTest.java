package io.delegatebroker.broker.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.Fuzz;
import io.delegatebroker.broker.testkit.RawHttp;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the admin API on the PostgreSQL store (which refuses more than memory does): random bodies for every POST and
 * PUT route (each known field given random types and values, unknown fields, random nesting, invalid UTF-8, empty,
 * over 64 KiB, odd content types), random path parameters and query strings on the GET and DELETE routes. No answer
 * may be a 5xx; every refusal is the contract's error body without a stack trace; the node stays up.
 */
@Timeout(120)
class AdminFuzzTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.postgres().account("Fuzz");
  static String delegateId;

  /** A route with a body and the fields it knows. */
  record Route(HttpMethod method, String path, Set<String> fields) {
  }

  static final List<Route> BODY_ROUTES = List.of(
      new Route(HttpMethod.POST, "/v1/accounts", Set.of("name")),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/keys", Set.of()),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/tokens", Set.of("name", "project", "expiresAt")),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/tokens/{name}/revoke", Set.of()),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/profiles", Set.of("name", "approvalRequired", "startupScript")),
      new Route(HttpMethod.PUT, "/v1/accounts/{acc}/profiles/{name}", Set.of("name", "approvalRequired", "startupScript")),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/delegates/approve", Set.of("token", "profile")),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/delegates/{id}/approve", Set.of()),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/delegates/{id}/reject", Set.of()),
      new Route(HttpMethod.POST, "/v1/accounts/{acc}/delegates/{id}/messages", Set.of("payload")));

  static final List<String> READ_ROUTES = List.of("/v1/accounts", "/v1/accounts/{acc}", "/v1/accounts/{acc}/audit",
      "/v1/accounts/{acc}/tokens", "/v1/accounts/{acc}/tokens/{name}", "/v1/accounts/{acc}/tokens/{name}/connections",
      "/v1/accounts/{acc}/profiles", "/v1/accounts/{acc}/profiles/{name}", "/v1/accounts/{acc}/delegates",
      "/v1/accounts/{acc}/delegates/{id}", "/v1/cluster");

  static final List<String> DELETE_ROUTES = List.of("/v1/accounts/{acc}/keys/{id}", "/v1/accounts/{acc}/profiles/{name}",
      "/v1/accounts/{acc}/delegates/{id}");

  /** A registered, pending delegate to approve, reject and message. */
  @BeforeAll
  static void registerPendingDelegate() {
    assertEquals(201, node.admin().post("/v1/accounts/" + node.accountId() + "/profiles",
        new JsonObject().put("name", "gated").put("approvalRequired", true)).status());
    TestDelegate d = TestDelegate.connect(node.ws(), node.delegatePort(), node.token(), node.accountId(), "fuzzed",
        Map.of("X-Delegate-Profile", "gated"));
    delegateId = d.next("welcome").getString("delegateId");
    d.close();
  }

  @Test
  void randomAdminCallsNeverGet5xx() {
    Fuzz fuzz = new Fuzz(0xad_0b0d1L);
    long deadline = System.nanoTime() + 25_000_000_000L;
    TreeMap<Integer, Integer> statuses = new TreeMap<>();
    int n = 0;
    String previous = "";
    for (; n < 900 && System.nanoTime() < deadline; n++) {
      double roll = fuzz.random.nextDouble();
      HttpMethod method;
      String path;
      Object body = null;
      String contentType = "application/json";
      if (roll < 0.75) {
        Route route = fuzz.pick(BODY_ROUTES);
        method = route.method();
        path = path(fuzz, route.path());
        body = body(fuzz, route.fields());
        if (fuzz.chance(0.1)) {
          contentType = fuzz.pick(List.of("text/plain", "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=zz", "application/json; charset=latin1", "\u00e9/\u00e9"));
        } else if (fuzz.chance(0.05)) {
          contentType = null;
        }
      } else if (roll < 0.92) {
        method = HttpMethod.GET;
        path = path(fuzz, fuzz.pick(READ_ROUTES)) + query(fuzz);
      } else {
        method = HttpMethod.DELETE;
        path = path(fuzz, fuzz.pick(DELETE_ROUTES));
      }
      String what = "call " + n + " " + method + " " + path + " (" + contentType + ") body " + describe(body);
      RawHttp.Response r;
      try {
        r = RawHttp.exchange(node.adminPort(), method.name(), path, "Bearer " + TestNode.ROOT_KEY, body == null ? null
            : contentType, bytes(body));
      } catch (IOException e) {
        throw new AssertionError("no answer to " + what + " (seed " + fuzz.seed + ") after " + previous, e);
      }
      statuses.merge(r.status(), 1, Integer::sum);
      previous = what + " -> " + r.status();
      assertTrue(r.status() < 500, "status " + r.status() + " for " + what + " (seed " + fuzz.seed + "): " + r.body());
      if (r.status() >= 400) {
        fuzz.assertContractError(r.status(), r.body(), what);
      }
    }
    LoggerFactory.getLogger(AdminFuzzTest.class).info("{} admin calls (seed {}), answers by status: {}", n, fuzz.seed,
        statuses);
    // THEN the node is up and answered a spread of statuses
    assertEquals(200, node.admin().withKey(null).get("/health/ready").status());
    assertTrue(n >= 200, "only " + n + " calls in the time");
    assertTrue(statuses.keySet().containsAll(List.of(200, 201, 400, 404, 413)), "statuses seen: " + statuses);
  }

  /** Fills the route's parameters: mostly real ones, sometimes random (percent-encoded) text. */
  private static String path(Fuzz fuzz, String template) {
    return template
        .replace("{acc}", fuzz.chance(0.85) ? node.accountId() : encode(fuzz.string()))
        .replace("{name}", fuzz.chance(0.6) ? fuzz.pick(List.of("default", "gated", "primary", fuzz.name(8)))
            : encode(fuzz.string()))
        .replace("{id}", fuzz.chance(0.6) ? delegateId : encode(fuzz.string()));
  }

  private static String encode(String s) {
    String e = URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    return e.isEmpty() ? "%20" : e;
  }

  private static String query(Fuzz fuzz) {
    if (fuzz.chance(0.5)) {
      return "";
    }
    return "?" + fuzz.pick(List.of("status", "project", "x", "")) + "=" + encode(fuzz.chance(0.3)
        ? fuzz.pick(List.of("ACTIVE", "REVOKED", "PENDING_APPROVAL")) : fuzz.string());
  }

  /** A body: the route's fields with random values, any JSON, deep nesting, raw bytes, empty, or over 64 KiB. */
  private static Object body(Fuzz fuzz, Set<String> fields) {
    double roll = fuzz.random.nextDouble();
    if (roll < 0.55) {
      JsonObject o = new JsonObject();
      for (String f : fields) {
        if (fuzz.chance(0.8)) {
          o.put(f, fuzz.chance(0.4) ? plausible(fuzz, f) : fuzz.json(2));
        }
      }
      if (fuzz.chance(0.1)) {
        o.put(fuzz.string(), fuzz.json(1));
      }
      return o;
    }
    if (roll < 0.7) {
      return Json.encode(fuzz.json(4));
    }
    if (roll < 0.75) {
      return fuzz.nested(fuzz.between(500, 5000));
    }
    if (roll < 0.82) {
      return fuzz.bytes(fuzz.between(1, 300));
    }
    if (roll < 0.88) {
      // a JSON string holding a byte sequence that is not UTF-8
      byte[] head = ("{\"" + (fields.isEmpty() ? "name" : fields.iterator().next()) + "\":\"").getBytes(StandardCharsets.UTF_8);
      return io.vertx.core.buffer.Buffer.buffer().appendBytes(head).appendBytes(new byte[] {(byte) 0xc3, (byte) 0x28})
          .appendString("\"}");
    }
    if (roll < 0.94) {
      return "";
    }
    return new JsonObject().put(fields.isEmpty() ? "name" : fields.iterator().next(), "p".repeat(70 * 1024));
  }

  /** A value of the right type for the field, good or almost. */
  private static Object plausible(Fuzz fuzz, String field) {
    return switch (field) {
      case "approvalRequired" -> fuzz.random.nextBoolean();
      case "expiresAt" -> fuzz.pick(List.of("2030-01-01T00:00:00Z", "2001-01-01T00:00:00Z", "2030-01-01",
          "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "2030-01-01T00:00:00+02:00", fuzz.string()));
      case "payload" -> fuzz.json(3) instanceof JsonObject o ? o : new JsonObject().put("v", fuzz.string());
      case "startupScript" -> fuzz.chance(0.5) ? fuzz.unicode(fuzz.between(0, 200)) : fuzz.string();
      case "name" -> fuzz.chance(0.5) ? fuzz.name(fuzz.between(1, 128)) : fuzz.string();
      default -> fuzz.chance(0.5) ? fuzz.pick(List.of("default", "gated", "primary", fuzz.name(8))) : fuzz.string();
    };
  }

  private static byte[] bytes(Object body) {
    if (body == null) {
      return null;
    }
    if (body instanceof byte[] b) {
      return b;
    }
    if (body instanceof io.vertx.core.buffer.Buffer b) {
      return b.getBytes();
    }
    return (body instanceof JsonObject o ? o.encode() : body.toString()).getBytes(StandardCharsets.UTF_8);
  }

  private static String describe(Object body) {
    if (body == null) {
      return "none";
    }
    String s = body instanceof byte[] b ? "bytes[" + b.length + "]" : body.toString();
    return s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " chars)" : s;
  }
}
