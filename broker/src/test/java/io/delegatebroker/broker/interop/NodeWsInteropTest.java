package io.delegatebroker.broker.interop;

/** The interop suite against Node's {@code ws}, installed by npm into the build directory. */
class NodeWsInteropTest extends InteropSuite {

  @Override
  InteropClient openClient() {
    return InteropClients.node();
  }
}
