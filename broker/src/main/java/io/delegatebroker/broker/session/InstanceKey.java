package io.delegatebroker.broker.session;

/**
 * What makes a second connection of the same delegate instance replace the first: the account, the delegate's name
 * and the instance. The instance index keys its sessions by this record of the session's own strings rather than by
 * their concatenation, so an indexed session costs one small object instead of a new string of all three. Between
 * nodes the key travels in its {@link #wire} form.
 */
record InstanceKey(String accountId, String delegateName, String instance) {

  private static final char SEPARATOR = '\u0000';

  static InstanceKey of(DelegateSession s) {
    return new InstanceKey(s.accountId(), s.delegateName(), s.instance());
  }

  /** The key as one string: the three parts joined by NUL, which no account id or name may contain. */
  String wire() {
    return accountId + SEPARATOR + delegateName + SEPARATOR + instance;
  }

  /** The key of a {@link #wire} string; null when it is not one (no session has such a key). */
  static InstanceKey parse(String wire) {
    int first = wire.indexOf(SEPARATOR);
    int second = first < 0 ? -1 : wire.indexOf(SEPARATOR, first + 1);
    if (second < 0 || wire.indexOf(SEPARATOR, second + 1) >= 0) {
      return null;
    }
    return new InstanceKey(wire.substring(0, first), wire.substring(first + 1, second), wire.substring(second + 1));
  }
}
