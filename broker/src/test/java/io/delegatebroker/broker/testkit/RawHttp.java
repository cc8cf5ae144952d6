package io.delegatebroker.broker.testkit;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a well-behaved client would never send: oversized or malformed headers,
 * random bytes. Blocking, on the test thread; binds the given loopback source address so tests can play different
 * clients. A 101 answer is returned as soon as its headers arrive and the socket is then closed.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** Status, headers (lower-case names) and body of one answer; status -1 when the server closed without one. */
  public record Response(int status, Map<String, String> headers, String body) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
  }

  /** Builds a WebSocket upgrade request for the delegate endpoint; add headers, then {@link #build()}. */
  public static final class Request {
    private final StringBuilder text = new StringBuilder();

    Request(String method, String path) {
      text.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }

    public Request header(String name, String value) {
      text.append(name).append(": ").append(value).append("\r\n");
      return this;
    }

    public String build() {
      return text + "\r\n";
    }
  }

  public static Request request(String method, String path) {
    return new Request(method, path);
  }

  /** An upgrade request with the delegate headers; null values are left out. */
  public static Request upgradeRequest(String token, String account, String name) {
    Request r = new Request("GET", "/v1/delegates/connect")
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Version", "13");
    if (token != null) {
      r.header("Authorization", "Delegate " + token);
    }
    if (account != null) {
      r.header("X-Account-Id", account);
    }
    if (name != null) {
      r.header("X-Delegate-Name", name);
    }
    return r;
  }

  /**
   * One request on its own connection ({@code Connection: close}): method, path, optional Authorization value and
   * Content-Type, and a body (null for none) sent with its Content-Length.
   */
  public static Response exchange(int port, String method, String path, String authorization, String contentType,
      byte[] body) throws IOException {
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .append("Connection: close\r\n");
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    req.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    if (body != null) {
      req.writeBytes(body);
    }
    return sendBytes("127.0.0.1", port, req.toByteArray());
  }

  public static Response send(String localAddress, int port, String request) throws IOException {
    return sendBytes(localAddress, port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  public static Response sendBytes(String localAddress, int port, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(localAddress, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
      return read(s.getInputStream(), head);
    }
  }

  private static Response read(InputStream in, boolean headRequest) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
    }
    if (head.size() == 0) {
      return new Response(-1, Map.of(), "");
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = Integer.parseInt(statusLine[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
      }
    }
    if (status == 101 || headRequest) {
      // an upgrade's body is the WebSocket; a HEAD answer has none
      return new Response(status, headers, "");
    }
    byte[] body;
    String length = headers.get("content-length");
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }
}
