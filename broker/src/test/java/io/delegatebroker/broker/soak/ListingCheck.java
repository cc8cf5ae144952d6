package io.delegatebroker.broker.soak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Listings agree with the sockets the clients hold, within the safety-net period S (5 s), checked only while the
 * cluster is settled (no fault for {@link SoakSettings#SETTLE}, and none beginning during the check). For a listing
 * requested at t0 and answered at t1:
 * <ul>
 *   <li>missing: a session the client held from t0 - S to t1 (welcome before t0 - S, no end before t1) is absent,
 *       unless a revoke of its token or a reject/delete of its delegate was sent before t1 (its end is under way);</li>
 *   <li>phantom: an entry (delegate id, instance, node) matches no client session that was open at any moment of
 *       [t0 - S, t1], nor a handshake of that instance to that node sent before t1 and not yet welcomed.</li>
 * </ul>
 * Checked on two listings: an account's delegates with their instances, and a token's connections.
 */
final class ListingCheck {

  private static final long S = SoakSettings.SAFETY_NET.toMillis();

  private final Ledger ledger;
  private final List<NodeSlot> nodes;
  private final SoakAdmin admin;
  private final ChaosMonkey monkey;
  private final Random random;
  private int checks;
  private int entriesCompared;

  ListingCheck(Ledger ledger, List<NodeSlot> nodes, SoakAdmin admin, ChaosMonkey monkey, Random random) {
    this.ledger = ledger;
    this.nodes = nodes;
    this.admin = admin;
    this.monkey = monkey;
    this.random = random;
  }

  /** Compares one account's delegates listing and one of its tokens' connections; false when skipped (not settled). */
  boolean check(String account) {
    if (!monkey.settled()) {
      return false;
    }
    int epoch = monkey.epoch();
    NodeSlot via = Ledger.pick(random, nodes);
    long t0 = SoakClock.now();
    SoakAdmin.Answer delegates = admin.get(via, "/v1/accounts/" + account + "/delegates");
    long t1 = SoakClock.now();
    Ledger.Token token = Ledger.pick(random, ledger.usableTokens(account));
    long t2 = SoakClock.now();
    SoakAdmin.Answer connections = token == null ? null
        : admin.get(via, "/v1/accounts/" + account + "/tokens/" + token.name + "/connections");
    long t3 = SoakClock.now();
    if (monkey.epoch() != epoch || !monkey.settled()) {
      return false;
    }
    if (delegates.status() != 200 || (connections != null && connections.status() != 200)) {
      ledger.violation("listing failed on settled cluster via " + via.nodeId() + ": " + delegates.status() + " "
          + (connections == null ? "" : connections.status() + " " + connections.body()));
      return true;
    }
    Set<String> listed = new HashSet<>();
    for (Object o : delegates.items()) {
      JsonObject d = (JsonObject) o;
      JsonArray instances = d.getJsonArray("instances", new JsonArray());
      for (Object i : instances) {
        JsonObject inst = (JsonObject) i;
        listed.add(key(d.getString("id"), inst.getString("instance"), inst.getString("node")));
      }
    }
    compare("delegates of " + account + " via " + via.nodeId(), account, listed, t0, t1, s -> true);
    if (connections != null) {
      Set<String> conn = new HashSet<>();
      for (Object o : connections.items()) {
        JsonObject c = (JsonObject) o;
        conn.add(key(c.getString("delegateId"), c.getString("instance"), c.getString("node")));
      }
      compare("connections of token " + token.name + " via " + via.nodeId(), account, conn, t2, t3,
          s -> s.token == token);
    }
    checks++;
    return true;
  }

  private void compare(String what, String account, Set<String> listed, long t0, long t1,
      Predicate<Ledger.Attempt> relevant) {
    synchronized (ledger) {
      compareLocked(what, account, listed, t0, t1, relevant);
    }
  }

  private void compareLocked(String what, String account, Set<String> listed, long t0, long t1,
      Predicate<Ledger.Attempt> relevant) {
    List<Ledger.Attempt> sessions = ledger.sessions().stream()
        .filter(s -> s.account.equals(account) && s.welcomeAt >= 0 && relevant.test(s)).toList();
    // A handshake the node accepted whose welcome the client has not read yet: listed before the client knows.
    Set<String> inFlight = new HashSet<>();
    for (Ledger.Attempt a : ledger.handshakesInFlight()) {
      if (a.account.equals(account) && a.sentAt <= t1) {
        inFlight.add(a.instance + "@" + a.node.nodeId());
      }
    }
    Set<String> held = new HashSet<>();
    for (Ledger.Attempt s : sessions) {
      String k = key(s.delegateId, s.instance, s.welcomeNode);
      boolean heldThroughout = s.welcomeAt <= t0 - S && (s.endAt < 0 || s.endAt >= t1);
      if (heldThroughout && !ending(s, t1) && !listed.contains(k)) {
        ledger.violation("listing " + what + " at " + t0 + "-" + t1 + " ms misses session " + k
            + " held since " + s.welcomeAt + " ms");
      }
      if (s.welcomeAt <= t1 && (s.endAt < 0 || s.endAt >= t0 - S)) {
        held.add(k);
      }
    }
    for (String k : listed) {
      entriesCompared++;
      if (!held.contains(k) && !inFlight.contains(k.substring(k.indexOf('/') + 1))) {
        ledger.violation("listing " + what + " at " + t0 + "-" + t1 + " ms shows " + k
            + ", which no client held in the last " + S + " ms");
      }
    }
  }

  private boolean ending(Ledger.Attempt s, long t1) {
    Ledger.Delegate d = ledger.delegate(s.delegateId);
    return (s.token.revokeAttemptAt >= 0 && s.token.revokeAttemptAt <= t1)
        || (d != null && ((d.rejectAttemptAt >= 0 && d.rejectAttemptAt <= t1)
        || (d.deleteAttemptAt >= 0 && d.deleteAttemptAt <= t1)));
  }

  private static String key(String delegateId, String instance, String node) {
    return delegateId + "/" + instance + "@" + node;
  }

  int checks() {
    return checks;
  }

  int entriesCompared() {
    return entriesCompared;
  }
}
