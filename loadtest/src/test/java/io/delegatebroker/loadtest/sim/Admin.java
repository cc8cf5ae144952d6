package io.delegatebroker.loadtest.sim;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin API calls a simulation makes before its load starts (contract section 3): an account of its own and
 * the tokens its delegates use. Blocking on purpose: it runs in {@code before()}, outside the measured traffic.
 */
public final class Admin {

  /** What a simulation's delegates connect with. Token values are never printed. */
  public record Fixture(String accountId, List<String> tokenNames, List<String> tokenValues) {
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final String key;

  public Admin(String baseUrl, String key) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  /** Creates an account named {@code <prefix>-<time>} and {@code tokens} tokens named {@code <prefix>-t<i>}. */
  public Fixture fixture(String prefix, int tokens) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < tokens; i++) {
      names.add(prefix + "-t" + i);
    }
    return fixture(prefix, names);
  }

  /** Creates an account named {@code <prefix>-<time>} and one token per name. */
  public Fixture fixture(String prefix, List<String> tokenNames) {
    String name = prefix + "-" + System.currentTimeMillis();
    JsonObject account = call("POST", "/v1/accounts", new JsonObject().put("name", name), 201);
    String id = account.getString("id");
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String tokenName : tokenNames) {
      JsonObject t = call("POST", "/v1/accounts/" + id + "/tokens", new JsonObject().put("name", tokenName), 201);
      names.add(tokenName);
      values.add(t.getString("value"));
    }
    System.out.println("setup: account " + id + " (" + name + ") with tokens " + names + " on " + baseUrl);
    return new Fixture(id, List.copyOf(names), List.copyOf(values));
  }

  JsonObject call(String method, String path, JsonObject body, int expected) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) {
        throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + " (expected " + expected
            + "): " + r.body());
      }
      return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("admin API at " + baseUrl + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
