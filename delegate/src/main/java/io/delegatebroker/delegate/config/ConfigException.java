package io.delegatebroker.delegate.config;

/** The delegate's configuration is missing or malformed; the message is the one line a person reads. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
