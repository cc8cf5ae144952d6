package io.delegatebroker.broker.soak;

import io.delegatebroker.broker.testkit.RawHttp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Nothing acknowledged is lost, checked once after every fault healed, through the admin API and the delegate port:
 * each token whose creation was answered 201 exists, REVOKED if a revoke of it was answered 200 and ACTIVE if none
 * was sent; each registered delegate (a welcome carried its id) is listed unless a reject or delete of it was sent,
 * ACTIVE if an approval was answered; each acknowledged reject or delete left the list; a rejected name and a revoked
 * token are still refused (403, 401); and each acknowledged change is in the account's audit log.
 */
final class FinalCheck {

  private static final int HANDSHAKE_SAMPLE = 20;

  private final Ledger ledger;
  private final SoakAdmin admin;
  private final NodeSlot via;
  private final Map<String, Integer> checked = new HashMap<>();

  FinalCheck(Ledger ledger, SoakAdmin admin, NodeSlot via) {
    this.ledger = ledger;
    this.admin = admin;
    this.via = via;
  }

  void run(List<String> accounts) {
    for (String account : accounts) {
      tokens(account);
      delegates(account);
      audit(account);
      refusals(account);
    }
  }

  Map<String, Integer> checked() {
    return checked;
  }

  private void tokens(String account) {
    Map<String, String> status = new HashMap<>();
    for (Object o : get("/v1/accounts/" + account + "/tokens").getJsonArray("items")) {
      JsonObject t = (JsonObject) o;
      status.put(t.getString("name"), t.getString("status"));
    }
    for (Ledger.Token t : ledger.tokens()) {
      if (!t.account.equals(account) || !t.createAcked) {
        continue;
      }
      tally("tokens");
      String s = status.get(t.name);
      if (s == null) {
        ledger.violation("lost: token " + account + "/" + t.name + " was created (201) but is not listed");
      } else if (t.revokeAckAt >= 0 && !"REVOKED".equals(s)) {
        ledger.violation("lost: revoke of token " + account + "/" + t.name + " was answered 200 but it is " + s);
      } else if (t.revokeAttemptAt < 0 && !"ACTIVE".equals(s)) {
        ledger.violation("token " + account + "/" + t.name + " was never revoked but is " + s);
      }
    }
  }

  private void delegates(String account) {
    Map<String, String> status = new HashMap<>();
    for (Object o : get("/v1/accounts/" + account + "/delegates").getJsonArray("items")) {
      JsonObject d = (JsonObject) o;
      status.put(d.getString("id"), d.getString("status"));
    }
    for (Ledger.Delegate d : ledger.delegates()) {
      if (!d.account.equals(account)) {
        continue;
      }
      tally("delegates");
      String s = status.get(d.id);
      if (d.rejectAcked || d.deleteAcked) {
        if (s != null) {
          ledger.violation("delegate " + d.id + " (" + d.name + ") was " + (d.rejectAcked ? "rejected" : "deleted")
              + " (acknowledged) but is still listed as " + s);
        }
      } else if (!d.ended()) {
        if (s == null) {
          ledger.violation("lost: delegate " + d.id + " (" + d.name + ") registered but is not listed");
        } else if (d.approveAcked && !"ACTIVE".equals(s)) {
          ledger.violation("lost: approval of delegate " + d.id + " was answered 200 but it is " + s);
        }
      }
    }
  }

  private void audit(String account) {
    List<Object> items = get("/v1/accounts/" + account + "/audit").getJsonArray("items").getList();
    Set<String> seen = new HashSet<>();
    Instant oldest = Instant.MAX;
    for (Object o : items) {
      Map<?, ?> e = o instanceof JsonObject j ? j.getMap() : (Map<?, ?>) o;
      seen.add(e.get("action") + " " + e.get("target"));
      Instant at = Instant.parse(String.valueOf(e.get("at")));
      if (at.isBefore(oldest)) {
        oldest = at;
      }
    }
    // The log answers its newest 1000 events: older expectations cannot be checked there.
    Instant horizon = items.size() >= 1000 ? oldest.plusSeconds(1) : Instant.MIN;
    for (Ledger.Expected x : ledger.expectedAudit()) {
      if (!x.account().equals(account) || x.at().isBefore(horizon)) {
        continue;
      }
      tally("audit events");
      if (!seen.contains(x.action() + " " + x.target())) {
        ledger.violation("lost: audit event " + x.action() + " " + x.target() + " (acknowledged at " + x.at()
            + ") is not in the audit log of " + account);
      }
    }
  }

  private void refusals(String account) {
    Ledger.Token live = ledger.usableTokens(account).stream().findFirst().orElse(null);
    int n = 0;
    for (Ledger.Delegate d : ledger.delegates()) {
      if (live == null || n >= HANDSHAKE_SAMPLE) {
        break;
      }
      if (d.account.equals(account) && d.rejectAcked) {
        n++;
        tally("rejected names refused");
        int status = handshake(live.value, account, d.name);
        if (status != 403) {
          ledger.violation("lost: rejection of " + account + "/" + d.name + ": a handshake got " + status + ", not 403");
        }
      }
    }
    List<Ledger.Token> revoked = ledger.revokedTokens(account);
    for (Ledger.Token t : revoked.subList(0, Math.min(HANDSHAKE_SAMPLE, revoked.size()))) {
      tally("revoked tokens refused");
      int status = handshake(t.value, account, "final-check");
      if (status != 401) {
        ledger.violation("lost: revoke of " + account + "/" + t.name + ": a handshake got " + status + ", not 401");
      }
    }
  }

  private int handshake(String token, String account, String name) {
    try {
      return RawHttp.send("127.0.0.1", via.delegatePort(), RawHttp.upgradeRequest(token, account, name)
          .header("X-Delegate-Instance", "final-check").build()).status();
    } catch (IOException e) {
      return -1;
    }
  }

  private JsonObject get(String path) {
    SoakAdmin.Answer a = admin.get(via, path);
    if (a.status() != 200) {
      ledger.violation("final check: GET " + path + " answered " + a.status() + " " + a.body());
      return new JsonObject().put("items", new io.vertx.core.json.JsonArray());
    }
    return a.json();
  }

  private void tally(String what) {
    checked.merge(what, 1, Integer::sum);
  }
}
