package io.delegatebroker.broker.app;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.TimeUnit;

/** The HTTP server options of the two listeners: address, TLS, and the request and frame bounds of {@link BrokerLimits}. */
final class ListenerOptions {

  private ListenerOptions() {
  }

  /** The delegate port: WebSocket frame and message bounds, no HTTP idle timeout (the idle reaper owns sessions). */
  static HttpServerOptions delegate(BrokerConfig config) {
    BrokerLimits limits = config.limits();
    return common(config, config.delegatePort())
        .setMaxWebSocketFrameSize(BrokerLimits.MAX_WEBSOCKET_FRAME_BYTES)
        .setMaxWebSocketMessageSize(BrokerLimits.MAX_WEBSOCKET_FRAME_BYTES)
        .setMaxInitialLineLength(limits.maxInitialLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setIdleTimeout(0);
  }

  static HttpServerOptions admin(BrokerConfig config) {
    return common(config, config.adminPort())
        .setMaxInitialLineLength(config.limits().maxInitialLineBytes())
        .setMaxHeaderSize(config.limits().maxHeaderBytes());
  }

  private static HttpServerOptions common(BrokerConfig config, int port) {
    HttpServerOptions o = new HttpServerOptions().setHost(config.host()).setPort(port).setReuseAddress(true)
        // No h2c on plain text: with it, Vert.x waits for a connection's first bytes (to tell an HTTP/2 preface)
        // before handing it to the connection handler, and a connection that sends nothing would escape
        // PendingConnections. (With TLS, h2c does not apply, and turning it off there stops Vert.x 5.0.10 from
        // completing handshakes: TlsTest.)
        .setHttp2ClearTextEnabled(config.tls());
    if (config.tls()) {
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()))
          // a TLS handshake happens before the connection is handed to PendingConnections: same deadline
          .setSslHandshakeTimeout(config.limits().handshakeTimeoutSeconds())
          .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }
    return o;
  }
}
