package io.delegatebroker.broker.interop;

/** The interop suite against the JDK's {@code java.net.http.WebSocket}. */
class JdkWebSocketInteropTest extends InteropSuite {

  @Override
  InteropClient openClient() {
    return new JdkClient();
  }
}
