package io.delegatebroker.broker.soak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The operator's side of the soak: admin API calls over plain HTTP/1.1 with the JDK client, each bounded in time.
 * An answer is one of three things, which the checker treats differently: an HTTP status (the broker answered), not
 * sent (the connection was refused, so nothing happened), or unknown (the request may have reached the node and then
 * the answer never came: the effect may or may not exist).
 */
final class SoakAdmin {

  /** The outcome of one call. */
  record Answer(int status, String body) {
    static final int NOT_SENT = -1;
    static final int UNKNOWN = -2;

    boolean ok() {
      return status >= 200 && status < 300;
    }

    boolean unknown() {
      return status == UNKNOWN;
    }

    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray items() {
      return json().getJsonArray("items");
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final String key;

  SoakAdmin(String key) {
    this.key = key;
  }

  Answer get(NodeSlot node, String path) {
    return call(node, "GET", path, null);
  }

  Answer post(NodeSlot node, String path, JsonObject body) {
    return call(node, "POST", path, body);
  }

  Answer delete(NodeSlot node, String path) {
    return call(node, "DELETE", path, null);
  }

  /** One call; a revoke may take 5 s to confirm, so writes get 12 s before their outcome counts as unknown. */
  Answer call(NodeSlot node, String method, String path, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
        .timeout(Duration.ofSeconds("GET".equals(method) ? 8 : 12))
        .header("Authorization", "Bearer " + key);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
      return new Answer(Answer.NOT_SENT, e.toString());
    } catch (IOException e) {
      return new Answer(Answer.UNKNOWN, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(Answer.UNKNOWN, e.toString());
    }
  }
}
