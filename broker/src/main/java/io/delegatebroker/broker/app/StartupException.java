package io.delegatebroker.broker.app;

/** A start failure with a one-line cause for the operator. */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupException(String message) {
    super(message, null, false, false);
  }

  /** The first line of the innermost cause's message (or its class name): what {@code broker: cannot start:} prints. */
  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
