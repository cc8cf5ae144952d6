package io.delegatebroker.broker.gateway;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * permessage-deflate (RFC 7692) on the delegate port, with inflation bounded. Vert.x 5 offers the extension by default
 * but builds Netty's handshaker without an inflation limit: one 120 KB frame of compressed zeros then inflates to
 * 120 MiB and held an event loop for 18 s here before the 64 KiB message limit could even look at it. Installed as the
 * listener's connection handler, this replaces Vert.x's extension handler (same pipeline name, before any request is
 * read) by one that inflates at most {@code maxFrameBytes} + 1 bytes per frame (a frame of exactly the limit passes)
 * and fails the frame past that, which the gateway closes with 1009 like any message over the limit. The deprecated
 * per-frame {@code x-webkit-deflate-frame} is no longer offered. Relies on Vert.x's pipeline layout (tested:
 * {@code CompressionTest}).
 */
public final class BoundedDeflate implements Handler<HttpConnection> {

  /** The name under which Vert.x 5 adds its WebSocket extension handler to an HTTP/1.x connection's pipeline. */
  static final String HANDLER_NAME = "webSocketExtensionHandler";
  private static final String OVER_LIMIT = "Decompression buffer has reached maximum size";

  private final int maxFrameBytes;
  private final int compressionLevel;

  public BoundedDeflate(int maxFrameBytes, int compressionLevel) {
    this.maxFrameBytes = maxFrameBytes;
    this.compressionLevel = compressionLevel;
  }

  @Override
  public void handle(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get(HANDLER_NAME) != null) {
      pipeline.replace(HANDLER_NAME, HANDLER_NAME, new WebSocketServerExtensionHandler(
          new PerMessageDeflateServerExtensionHandshaker(compressionLevel,
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), 15, false, false, maxFrameBytes + 1)));
    }
  }

  /** Whether the error is a frame that inflated past the limit (a message too big, not a malformed one). */
  static boolean overLimit(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DecompressionException && c.getMessage() != null && c.getMessage().startsWith(OVER_LIMIT)) {
        return true;
      }
    }
    return false;
  }
}
