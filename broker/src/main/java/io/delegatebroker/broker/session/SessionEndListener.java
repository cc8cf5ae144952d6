package io.delegatebroker.broker.session;

/**
 * Hears of the sessions the broker closes: each one as it is closed, and each bulk close (a token or delegate ended, a
 * drain) once more when all of its close frames were handed to their connections, so a listener can count every
 * session and still write one line for thousands.
 */
@FunctionalInterface
public interface SessionEndListener {

  /** A session the broker closed; {@link SessionIndex.SessionEnd#bulk} when it is part of a bulk close. */
  void ended(SessionIndex.SessionEnd end);

  /** A bulk close is done; its sessions were each passed to {@link #ended} before. */
  default void bulkEnded(SessionIndex.BulkEnd bulk) {
  }
}
