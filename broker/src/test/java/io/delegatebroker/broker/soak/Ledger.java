package io.delegatebroker.broker.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the soak's clients and operator were told, and nothing else: the checker's only source of truth. A token or
 * delegate change counts as acknowledged when the admin API answered 2xx, as attempted when the request may have
 * reached a node (its effect may or may not exist), and a session as open from its {@code welcome} frame until
 * the client saw it end. Every method is synchronized: clients (event loops), operator and checker share it.
 */
final class Ledger {

  /** A token of an account, as the operator knows it. */
  static final class Token {
    final String account;
    final String name;
    String value;
    boolean createAcked;
    long revokeAttemptAt = -1;
    long revokeAckAt = -1;

    Token(String account, String name) {
      this.account = account;
      this.name = name;
    }

    boolean usable() {
      return createAcked && value != null && revokeAttemptAt < 0;
    }
  }

  /** A delegate registration, learned from a welcome frame. */
  static final class Delegate {
    final String account;
    final String id;
    final String name;
    final boolean gated;
    String status;
    boolean approveAcked;
    long rejectAttemptAt = -1;
    boolean rejectAcked;
    long deleteAttemptAt = -1;
    boolean deleteAcked;

    Delegate(String account, String id, String name, boolean gated, String status) {
      this.account = account;
      this.id = id;
      this.name = name;
      this.gated = gated;
      this.status = status;
    }

    boolean ended() {
      return rejectAttemptAt >= 0 || deleteAttemptAt >= 0;
    }
  }

  /** One handshake by a client and, if accepted, the session it became. */
  static final class Attempt {
    final String account;
    final String delegateName;
    final String instance;
    final Token token;
    final NodeSlot node;
    final long sentAt;
    long welcomeAt = -1;
    long endAt = -1;
    int closeCode;
    String delegateId;
    String welcomeNode;
    boolean retried;

    Attempt(String account, String delegateName, String instance, Token token, NodeSlot node, long sentAt) {
      this.account = account;
      this.delegateName = delegateName;
      this.instance = instance;
      this.token = token;
      this.node = node;
      this.sentAt = sentAt;
    }

    boolean open() {
      return welcomeAt >= 0 && endAt < 0;
    }
  }

  /** An acknowledged change that must be in the account's audit log. */
  record Expected(String account, String action, String target, Instant at) {
  }

  private final Map<String, Token> tokens = new LinkedHashMap<>();
  private final Map<String, Delegate> delegates = new LinkedHashMap<>();
  private final List<Attempt> open = new ArrayList<>();
  private final Set<Attempt> inFlight = new HashSet<>();
  private final List<Attempt> ended = new ArrayList<>();
  private final List<Expected> audit = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<String, AtomicLong> counters = new TreeMap<>();
  private final Eviction eviction = new Eviction();
  private int tokenSeq;

  // --- tokens ---

  synchronized Token token(String account, String name) {
    return tokens.computeIfAbsent(account + "/" + name, k -> new Token(account, name));
  }

  /** A fresh token name (names are never reused: revoked tokens keep theirs). */
  synchronized String nextTokenName() {
    return "t" + tokenSeq++;
  }

  synchronized void tokenCreated(Token t, String value) {
    t.value = value;
    t.createAcked = true;
    audit.add(new Expected(t.account, "token.create", "token/" + t.name, Instant.now()));
  }

  synchronized void revokeAttempted(Token t) {
    if (t.revokeAttemptAt < 0) {
      t.revokeAttemptAt = SoakClock.now();
    }
  }

  /**
   * A revoke answered 200 at {@code at}: from now on no handshake with the token may be accepted, and every session
   * of it that a client holds must end within the safety net.
   */
  synchronized void revokeAcknowledged(Token t, long at) {
    if (t.revokeAckAt < 0) {
      t.revokeAckAt = at;
    }
    audit.add(new Expected(t.account, "token.revoke", "token/" + t.name, Instant.now()));
    for (Attempt a : open) {
      if (a.token == t) {
        eviction.expect(a, at);
      }
    }
  }

  synchronized boolean usable(Token t) {
    return t.usable();
  }

  synchronized List<Token> usableTokens(String account) {
    return tokens.values().stream().filter(t -> t.account.equals(account) && t.usable()).toList();
  }

  synchronized List<Token> revokedTokens(String account) {
    return tokens.values().stream().filter(t -> t.account.equals(account) && t.revokeAckAt >= 0 && t.value != null)
        .toList();
  }

  /** The account's token revoked last (answered 200), or null. */
  synchronized Token latestRevoked(String account) {
    return tokens.values().stream().filter(t -> t.account.equals(account) && t.revokeAckAt >= 0 && t.value != null)
        .max(Comparator.comparingLong(t -> t.revokeAckAt)).orElse(null);
  }

  /** Tokens whose revoke was sent but never answered: the operator revokes them again until one answer comes. */
  synchronized List<Token> revokesInDoubt() {
    return tokens.values().stream().filter(t -> t.revokeAttemptAt >= 0 && t.revokeAckAt < 0).toList();
  }

  synchronized List<Token> tokens() {
    return List.copyOf(tokens.values());
  }

  /** How many open sessions use the token (the operator prefers revoking tokens in use). */
  synchronized long openSessions(Token t) {
    return open.stream().filter(a -> a.token == t).count();
  }

  // --- delegates ---

  synchronized List<Delegate> delegates() {
    return List.copyOf(delegates.values());
  }

  synchronized Delegate delegate(String id) {
    return delegates.get(id);
  }

  synchronized void approved(Delegate d) {
    d.approveAcked = true;
    d.status = "ACTIVE";
    audit.add(new Expected(d.account, "delegate.approve", "delegate/" + d.id, Instant.now()));
  }

  synchronized void setStatus(Delegate d, String status) {
    d.status = status;
  }

  /** A bulk approval by profile answered: the listed delegates are ACTIVE, and the audit names the profile. */
  synchronized void approvedAll(String account, List<String> ids) {
    for (String id : ids) {
      Delegate d = delegates.get(id);
      if (d != null) {
        d.approveAcked = true;
        d.status = "ACTIVE";
      }
    }
    audit.add(new Expected(account, "delegate.approve_all", "profile/gated", Instant.now()));
  }

  synchronized void rejectAttempted(Delegate d) {
    if (d.rejectAttemptAt < 0) {
      d.rejectAttemptAt = SoakClock.now();
    }
  }

  synchronized void rejected(Delegate d) {
    d.rejectAcked = true;
    audit.add(new Expected(d.account, "delegate.reject", "delegate/" + d.id, Instant.now()));
  }

  synchronized void deleteAttempted(Delegate d) {
    if (d.deleteAttemptAt < 0) {
      d.deleteAttemptAt = SoakClock.now();
    }
  }

  synchronized void deleted(Delegate d) {
    d.deleteAcked = true;
    audit.add(new Expected(d.account, "delegate.delete", "delegate/" + d.id, Instant.now()));
  }

  /** Whether a reject of this delegate name was sent (its later handshakes may then be refused with 403). */
  synchronized boolean nameRejected(String account, String name) {
    return delegates.values().stream().anyMatch(d -> d.account.equals(account) && d.name.equals(name)
        && d.rejectAttemptAt >= 0);
  }

  // --- sessions ---

  /** Handshakes sent and not yet answered by a welcome or an end. */
  synchronized List<Attempt> handshakesInFlight() {
    return List.copyOf(inFlight);
  }

  synchronized Attempt attempt(String account, String name, String instance, Token token, NodeSlot node) {
    count("handshakes");
    if (token.revokeAckAt >= 0) {
      count(node.state() == NodeSlot.State.PAUSED ? "handshakes with a revoked token, to a frozen node"
          : "handshakes with a revoked token");
    } else if (node.state() == NodeSlot.State.PAUSED) {
      count("handshakes to a frozen node");
    }
    Attempt a = new Attempt(account, name, instance, token, node, SoakClock.now());
    inFlight.add(a);
    return a;
  }

  /** The welcome arrived: the handshake was accepted and the delegate is registered. */
  synchronized void welcomed(Attempt a, String delegateId, String status, String node, boolean gated) {
    inFlight.remove(a);
    a.welcomeAt = SoakClock.now();
    a.delegateId = delegateId;
    a.welcomeNode = node;
    open.add(a);
    count("sessions opened");
    delegates.computeIfAbsent(delegateId, id -> new Delegate(a.account, id, a.delegateName, gated, status));
    Token t = a.token;
    if (t.revokeAckAt >= 0) {
      if (a.sentAt > t.revokeAckAt) {
        violation("handshake accepted after the revoke answered: token " + t.account + "/" + t.name + " revoked at "
            + t.revokeAckAt + " ms, handshake sent at " + a.sentAt + " ms to " + a.node.nodeId() + ", welcome at "
            + a.welcomeAt + " ms");
      }
      eviction.expect(a, a.welcomeAt);
    }
  }

  synchronized void ended(Attempt a, int code) {
    if (a.endAt >= 0) {
      return;
    }
    a.endAt = SoakClock.now();
    a.closeCode = code;
    inFlight.remove(a);
    if (a.welcomeAt < 0) {
      return;
    }
    open.remove(a);
    ended.add(a);
    count("close " + code);
    Delegate d = delegates.get(a.delegateId);
    String what = "session " + a.account + "/" + a.delegateName + "/" + a.instance + " on " + a.welcomeNode;
    if (code == 4001 && a.token.revokeAttemptAt < 0) {
      violation(what + " closed 4001 but its token " + a.token.name + " was never revoked");
    } else if (code == 4003 && (d == null || d.rejectAttemptAt < 0)) {
      violation(what + " closed 4003 but its delegate was never rejected");
    } else if (code == 4004 && (d == null || d.deleteAttemptAt < 0)) {
      violation(what + " closed 4004 but its delegate was never deleted");
    } else if (code == 4002 || code == 4005) {
      violation(what + " closed " + code + " without cause (no token expires and every instance is unique)");
    } else if (code == 1008 || code == 1009) {
      violation(what + " closed " + code + " though its client sent only heartbeats"
          + (Fleet.PINGS ? " and pings" : ""));
    }
  }

  synchronized List<Attempt> sessions() {
    List<Attempt> all = new ArrayList<>(open);
    all.addAll(ended);
    return all;
  }

  synchronized List<Attempt> openSessions() {
    return List.copyOf(open);
  }

  /** Checks every pending eviction against the clock (see {@link Eviction}). */
  synchronized void checkEvictions() {
    eviction.check(SoakClock.now(), this::violation);
  }

  synchronized Eviction eviction() {
    return eviction;
  }

  // --- audit, counters, violations ---

  synchronized List<Expected> expectedAudit() {
    return List.copyOf(audit);
  }

  synchronized void count(String what) {
    counters.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  synchronized Map<String, Long> counters() {
    Map<String, Long> copy = new TreeMap<>();
    counters.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  synchronized void violation(String what) {
    String line = "[" + SoakClock.now() + " ms] " + what;
    violations.add(line);
    SoakLog.line("VIOLATION " + line);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  static <T> T pick(Random random, List<T> list) {
    return list.isEmpty() ? null : list.get(random.nextInt(list.size()));
  }
}
