package io.delegatebroker.broker.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects every log line of this JVM (message and any throwable text) while it is open. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new ArrayList<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public static LogCapture open() {
    LogCapture c = new LogCapture();
    c.setContext(c.root.getLoggerContext());
    c.start();
    c.root.addAppender(c);
    return c;
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    lines.add(b.toString());
  }

  /** Every line so far. */
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** The lines containing the text. */
  public List<String> containing(String text) {
    return lines().stream().filter(l -> l.contains(text)).toList();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
