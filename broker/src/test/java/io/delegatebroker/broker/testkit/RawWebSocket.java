package io.delegatebroker.broker.testkit;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a plain socket that does only what the test says: it never answers a ping or a close by
 * itself, and it keeps sending after a close if told to. Blocking, on the test thread.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int TEXT = 0x1;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** One frame from the broker. */
  public record Frame(int opcode, boolean fin, byte[] payload) {

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(text());
    }

    public int closeCode() {
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    public String closeReason() {
      return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "opcode " + opcode + (opcode == CLOSE ? " " + closeCode() + " " + closeReason() : " " + text());
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private String upgradeResponse;
  private Inflater inflater;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Upgrades with the delegate headers; fails unless the broker answers 101. */
  public static RawWebSocket connect(int port, String token, String account, String name, String instance)
      throws IOException {
    return connect(port, token, account, name, instance, Map.of());
  }

  /** Upgrades with the delegate headers and extra ones ({@code Sec-WebSocket-Extensions}, ...). */
  public static RawWebSocket connect(int port, String token, String account, String name, String instance,
      Map<String, String> extraHeaders) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(15_000);
    RawWebSocket ws = new RawWebSocket(s);
    RawHttp.Request builder = RawHttp.upgradeRequest(token, account, name).header("X-Delegate-Instance", instance);
    extraHeaders.forEach(builder::header);
    String request = builder.build();
    ws.out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    ws.out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = ws.in.read();
      if (b < 0) {
        throw new EOFException("closed during the upgrade: " + head);
      }
      head.write(b);
      matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
    }
    String status = head.toString(StandardCharsets.ISO_8859_1);
    if (!status.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("not upgraded: " + status);
    }
    ws.upgradeResponse = status;
    return ws;
  }

  /** The status line and headers of the 101 answer. */
  public String upgradeResponse() {
    return upgradeResponse;
  }

  /** Sends one masked frame, as a client must. */
  public void send(int opcode, boolean fin, byte[] payload) throws IOException {
    sendRaw((fin ? 0x80 : 0) | opcode, payload);
  }

  /**
   * Sends a final text frame compressed with permessage-deflate (RSV1 set): {@code deflated} is the raw DEFLATE data
   * without the 00 00 ff ff tail (RFC 7692 section 7.2.1).
   */
  public void sendCompressedText(byte[] deflated) throws IOException {
    sendRaw(0x80 | 0x40 | TEXT, deflated);
  }

  private void sendRaw(int firstByte, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xFF);
    } else {
      f.write(0x80 | 127);
      f.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  public void text(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  public void close(int code, String reason) throws IOException {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    send(CLOSE, true, ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r).array());
  }

  /** The next frame, or null when the broker closed the connection; fails after {@code timeoutMillis}. */
  public Frame read(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    int b0;
    try {
      b0 = in.read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame from the broker within " + timeoutMillis + " ms");
    }
    if (b0 < 0) {
      return null;
    }
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    if ((b0 & 0x40) != 0) {
      payload = inflate(payload);
    }
    return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
  }

  /** Inflates a permessage-deflate frame of the broker, keeping the window across messages (context takeover). */
  private byte[] inflate(byte[] payload) throws IOException {
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    byte[] input = Arrays.copyOf(payload, payload.length + 4);
    input[payload.length + 2] = (byte) 0xFF;
    input[payload.length + 3] = (byte) 0xFF;
    inflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = inflater.inflate(buf)) > 0 || !inflater.needsInput()) {
        out.write(buf, 0, n);
      }
    } catch (DataFormatException e) {
      throw new IOException("the broker sent a frame that does not inflate", e);
    }
    return out.toByteArray();
  }

  /** The next frame that is not a ping from the broker (pings are left unanswered). */
  public Frame readSkippingPings(int timeoutMillis) throws IOException {
    Frame f;
    do {
      f = read(timeoutMillis);
    } while (f != null && f.opcode() == PING);
    return f;
  }

  /** The broker's close frame, skipping anything before it (pings are left unanswered); fails at EOF. */
  public Frame awaitClose(int timeoutMillis) throws IOException {
    for (Frame f = read(timeoutMillis); f != null; f = read(timeoutMillis)) {
      if (f.opcode() == CLOSE) {
        return f;
      }
    }
    throw new AssertionError("connection ended without a close frame");
  }

  /** Drops the connection without a close frame. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
