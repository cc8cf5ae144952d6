package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Calls a node's admin API over HTTP with the Vert.x client, as an operator's script would. */
public final class AdminClient {

  /** One answer: status, headers of interest and the body. */
  public record Response(int status, String body, String retryAfter) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray items() {
      return json().getJsonArray("items");
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  private final HttpClient http;
  private final int port;
  private final String key;

  public AdminClient(Vertx vertx, int port, String key) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    this.port = port;
    this.key = key;
  }

  /** A client with its own options (TLS, for instance); host and port are the options' defaults. */
  public AdminClient(Vertx vertx, HttpClientOptions options, String key) {
    this.http = vertx.createHttpClient(options);
    this.port = options.getDefaultPort();
    this.key = key;
  }

  private AdminClient(HttpClient http, int port, String key) {
    this.http = http;
    this.port = port;
    this.key = key;
  }

  /** The same client presenting another key (null: no Authorization header). */
  public AdminClient withKey(String otherKey) {
    return new AdminClient(http, port, otherKey);
  }

  public Response get(String path) {
    return send(HttpMethod.GET, path, null);
  }

  public Response post(String path, Object body) {
    return send(HttpMethod.POST, path, body);
  }

  public Response put(String path, Object body) {
    return send(HttpMethod.PUT, path, body);
  }

  public Response delete(String path) {
    return send(HttpMethod.DELETE, path, null);
  }

  /** Sends a request; body may be a JsonObject, a Buffer or byte[] (sent as is), a String (sent as is) or null. */
  public Response send(HttpMethod method, String path, Object body) {
    return send(method, path, body, "application/json");
  }

  /** Sends a request with the given content type (null: no Content-Type header). */

  /** Sends a request with the given content type (null: none); body as for {@link #send(HttpMethod, String, Object)}. */
  public Response send(HttpMethod method, String path, Object body, String contentType) {
    try {
      return sendOnce(method, path, body, contentType);
    } catch (RuntimeException e) {
      // Now and then the test's HTTP client never sends a request (seen under fuzzing; the broker answered every
      // raw-socket call meanwhile). A read is safe to repeat; a write is not, so it fails as it is.
      if (method == HttpMethod.GET) {
        return sendOnce(method, path, body, contentType);
      }
      throw e;
    }
  }

  private Response sendOnce(HttpMethod method, String path, Object body, String contentType) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(path).setConnectTimeout(5000)
        .setTimeout(method == HttpMethod.GET ? 8000 : 15_000);
    if (key != null) {
      options.putHeader("Authorization", "Bearer " + key);
    }
    Buffer buffer = body == null ? null : body instanceof JsonObject o ? o.toBuffer() : body instanceof Buffer b ? b
        : body instanceof byte[] bytes ? Buffer.buffer(bytes) : Buffer.buffer(body.toString());
    // The body handler is set in the callback that receives the response, on the request's event loop: composing it
    // onto the outer future instead lets the response end before anyone reads it, and the call then hangs.
    Received received = Await.result(http.request(options).compose(req -> {
      Future<HttpClientResponse> sent;
      if (buffer == null) {
        sent = req.send();
      } else {
        if (contentType != null) {
          req.putHeader("content-type", contentType);
        }
        sent = req.send(buffer);
      }
      return sent.compose(resp -> resp.body().map(b -> new Received(
          new Response(resp.statusCode(), b.toString(), resp.getHeader("Retry-After")), resp.getHeader("content-type"))));
    }));
    Response r = received.response();
    // Every exchange is held to the OpenAPI document (on the test thread: the validator is waited for).
    OpenApiCheck.shared().check(method, path, buffer, r.status(), received.contentType(), r.body());
    return r;
  }

  private record Received(Response response, String contentType) {
  }

  /** Creates an account and returns its JSON (with {@code id} and {@code defaultToken.value}). */
  public JsonObject createAccount(String name) {
    Response r = post("/v1/accounts", new JsonObject().put("name", name));
    if (r.status() != 201) {
      throw new IllegalStateException("account create failed: " + r);
    }
    return r.json();
  }

  /** Creates a token and returns its value. */
  public String createToken(String account, String name) {
    Response r = post("/v1/accounts/" + account + "/tokens", new JsonObject().put("name", name));
    if (r.status() != 201) {
      throw new IllegalStateException("token create failed: " + r);
    }
    return r.json().getString("value");
  }

  public JsonObject revoke(String account, String token) {
    Response r = post("/v1/accounts/" + account + "/tokens/" + token + "/revoke", null);
    if (r.status() != 200) {
      throw new IllegalStateException("revoke failed: " + r);
    }
    return r.json();
  }
}
