package io.delegatebroker.signals;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on SIGTERM or SIGINT without starting the JVM's shutdown, so the caller can drain and choose its
 * own exit status. It reaches {@code sun.misc.Signal} (module {@code jdk.unsupported}) reflectively because javac
 * flags every direct use as proprietary API, a warning no {@code @SuppressWarnings} silences, and the build fails on
 * warnings. Shared by the broker node and the reference delegate (its own module: neither may depend on the other).
 */
public final class StopSignals {

  private StopSignals() {
  }

  /** Installs {@code action} as the handler of SIGTERM and SIGINT; it runs on the JVM's signal thread. */
  public static void onStop(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerType},
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return "stop-signal handler";
              default:
                action.run();
                return null;
            }
          });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : new String[] {"TERM", "INT"}) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the SIGTERM handler", e);
    }
  }
}
