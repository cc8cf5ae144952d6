package io.delegatebroker.broker.soak;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;

/**
 * The soak's operator: at random intervals, through a random running node, creates and revokes tokens and approves,
 * rejects and deletes delegates, recording in the ledger what was attempted and what was acknowledged. It keeps a
 * few usable tokens per account so the clients can always connect, and revokes again a token whose revoke was never
 * answered, so that each one ends with a known state.
 */
final class Operator {

  private final Ledger ledger;
  private final List<NodeSlot> nodes;
  private final List<String> accounts;
  private final SoakAdmin admin;
  private final Random random;

  Operator(Ledger ledger, List<NodeSlot> nodes, List<String> accounts, SoakAdmin admin, Random random) {
    this.ledger = ledger;
    this.nodes = nodes;
    this.accounts = accounts;
    this.admin = admin;
    this.random = random;
  }

  /** Runs operations until {@code untilMillis} on the soak clock. */
  void run(long untilMillis) {
    while (SoakClock.now() < untilMillis && !Thread.currentThread().isInterrupted()) {
      try {
        step();
      } catch (RuntimeException e) {
        ledger.violation("operator step failed (an answer the contract does not allow?): " + e);
      }
      try {
        Thread.sleep(150 + random.nextInt(450)); // the operator's think time, not a wait for an event
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One random operation. */
  void step() {
    String account = Ledger.pick(random, accounts);
    List<Ledger.Token> doubtful = ledger.revokesInDoubt();
    if (!doubtful.isEmpty() && random.nextInt(3) == 0) {
      revoke(Ledger.pick(random, doubtful));
      return;
    }
    if (ledger.usableTokens(account).size() < 3) {
      createToken(account);
      return;
    }
    int r = random.nextInt(100);
    if (r < 22) {
      createToken(account);
    } else if (r < 44) {
      revokeOne(account);
    } else if (r < 62) {
      pending(account, "approve");
    } else if (r < 74) {
      pending(account, "reject");
    } else if (r < 92) {
      deleteOne(account);
    } else {
      approveAll(account);
    }
  }

  /** Creates a token; the value is kept only when the creation was answered. */
  void createToken(String account) {
    Ledger.Token t = ledger.token(account, ledger.nextTokenName());
    SoakAdmin.Answer a = admin.post(node(), "/v1/accounts/" + account + "/tokens", new JsonObject().put("name", t.name));
    outcome("token.create", a);
    if (a.status() == 201) {
      ledger.tokenCreated(t, a.json().getString("value"));
    }
  }

  /** Revokes a usable token, preferring one that sessions use. */
  private void revokeOne(String account) {
    List<Ledger.Token> usable = ledger.usableTokens(account);
    List<Ledger.Token> used = usable.stream().filter(t -> ledger.openSessions(t) > 0).toList();
    Ledger.Token t = Ledger.pick(random, used.isEmpty() || random.nextInt(4) == 0 ? usable : used);
    if (t != null) {
      revoke(t);
    }
  }

  void revoke(Ledger.Token t) {
    ledger.revokeAttempted(t);
    SoakAdmin.Answer a = admin.post(node(), "/v1/accounts/" + t.account + "/tokens/" + t.name + "/revoke", null);
    long answeredAt = SoakClock.now();
    outcome("token.revoke", a);
    if (a.status() == 200) {
      ledger.revokeAcknowledged(t, answeredAt);
      JsonObject body = a.json();
      if (!Boolean.TRUE.equals(body.getBoolean("complete"))) {
        ledger.count("token.revoke incomplete");
      }
    }
  }

  private void pending(String account, String action) {
    List<Ledger.Delegate> candidates = ledger.delegates().stream()
        .filter(d -> d.account.equals(account) && d.gated && !d.ended() && "PENDING_APPROVAL".equals(d.status))
        .toList();
    Ledger.Delegate d = Ledger.pick(random, candidates);
    if (d == null) {
      return;
    }
    if ("reject".equals(action)) {
      ledger.rejectAttempted(d);
    }
    SoakAdmin.Answer a = admin.post(node(), "/v1/accounts/" + account + "/delegates/" + d.id + "/" + action, null);
    outcome("delegate." + action, a);
    if (a.status() == 200) {
      if ("approve".equals(action)) {
        ledger.approved(d);
      } else {
        ledger.rejected(d);
      }
    } else if (a.status() == 409 && "approve".equals(action)) {
      ledger.setStatus(d, "UNKNOWN"); // approved meanwhile (in bulk) or ended: not a candidate any more
    }
  }

  private void deleteOne(String account) {
    List<Ledger.Delegate> candidates = ledger.delegates().stream()
        .filter(d -> d.account.equals(account) && !d.ended()).toList();
    Ledger.Delegate d = Ledger.pick(random, candidates);
    if (d == null) {
      return;
    }
    ledger.deleteAttempted(d);
    SoakAdmin.Answer a = admin.delete(node(), "/v1/accounts/" + account + "/delegates/" + d.id);
    outcome("delegate.delete", a);
    if (a.status() == 204) {
      ledger.deleted(d);
    }
  }

  private void approveAll(String account) {
    SoakAdmin.Answer a = admin.post(node(), "/v1/accounts/" + account + "/delegates/approve",
        new JsonObject().put("profile", "gated"));
    outcome("delegate.approve_all", a);
    if (a.status() == 200) {
      ledger.approvedAll(account, a.json().getJsonArray("approved").stream().map(String.class::cast).toList());
    }
  }

  private void outcome(String op, SoakAdmin.Answer a) {
    ledger.count("op " + op + " " + (a.status() == SoakAdmin.Answer.NOT_SENT ? "not-sent"
        : a.unknown() ? "unknown" : Integer.toString(a.status())));
  }

  /** A node to send the call to: a running one when there is one (an operator's load balancer does that). */
  private NodeSlot node() {
    List<NodeSlot> up = nodes.stream().filter(n -> n.state() == NodeSlot.State.UP).toList();
    return up.isEmpty() ? Ledger.pick(random, nodes) : Ledger.pick(random, up);
  }
}
