package io.delegatebroker.broker.interop;

/** The interop suite against Python's {@code websockets} (asyncio client), installed by pip into the build directory. */
class PythonWebsocketsInteropTest extends InteropSuite {

  @Override
  InteropClient openClient() {
    return InteropClients.python();
  }
}
