package io.delegatebroker.broker.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a node does when the command bus asks it to act on its own sessions. Commands are JSON so that they travel
 * unchanged between nodes; each answers with counts or listings of this node only.
 */
public final class SessionCommands {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionCommands.class);

  private final String nodeId;
  private final SessionIndex index;
  private final Consumer<String> forgetToken;
  private final BiConsumer<String, String> forgetDelegate;
  private final BiConsumer<String, String> forgetProfile;
  private final Consumer<Long> revocationLatency;

  /**
   * @param forgetToken    drops a cached token by hash
   * @param forgetDelegate drops a cached registration by account and name
   * @param forgetProfile  drops a cached profile by account and name
   */
  public SessionCommands(String nodeId, SessionIndex index, Consumer<String> forgetToken,
      BiConsumer<String, String> forgetDelegate, BiConsumer<String, String> forgetProfile, Consumer<Long> revocationLatency) {
    this.nodeId = nodeId;
    this.index = index;
    this.forgetToken = forgetToken;
    this.forgetDelegate = forgetDelegate;
    this.forgetProfile = forgetProfile;
    this.revocationLatency = revocationLatency;
  }

  public static JsonObject endToken(String tokenId, String hash, CloseReason reason) {
    return new JsonObject().put("op", "end-token").put("tokenId", tokenId).put("hash", hash).put("reason", reason.name())
        .put("sentAt", System.currentTimeMillis());
  }

  public static JsonObject endDelegate(String accountId, String delegateId, String name, CloseReason reason) {
    return new JsonObject().put("op", "end-delegate").put("accountId", accountId).put("delegateId", delegateId)
        .put("name", name).put("reason", reason.name());
  }

  public static JsonObject approve(String accountId, List<String> delegateIds, List<String> names) {
    return new JsonObject().put("op", "approve").put("accountId", accountId).put("delegateIds", new JsonArray(delegateIds))
        .put("names", new JsonArray(names));
  }

  public static JsonObject message(String delegateId, String id, JsonObject payload) {
    return new JsonObject().put("op", "message").put("delegateId", delegateId).put("id", id).put("payload", payload);
  }

  public static JsonObject tokenSessions(String tokenId) {
    return new JsonObject().put("op", "token-sessions").put("tokenId", tokenId);
  }

  public static JsonObject accountSessions(String accountId) {
    return new JsonObject().put("op", "account-sessions").put("accountId", accountId);
  }

  public static JsonObject count() {
    return new JsonObject().put("op", "count");
  }

  public static JsonObject forgetProfile(String accountId, String name) {
    return new JsonObject().put("op", "forget-profile").put("accountId", accountId).put("name", name);
  }

  /** Runs one command on this node's sessions. */
  public Future<JsonObject> handle(JsonObject cmd) {
    String op = cmd.getString("op", "");
    JsonObject reply = new JsonObject().put("node", nodeId);
    switch (op) {
      case "end-token" -> {
        forgetToken.accept(cmd.getString("hash"));
        long started = System.nanoTime();
        int n = index.endToken(cmd.getString("tokenId"), CloseReason.valueOf(cmd.getString("reason")));
        LOG.info("token ended on node {}: {} sessions closed in {} ms", nodeId, n, (System.nanoTime() - started) / 1_000_000);
        Long sentAt = cmd.getLong("sentAt");
        if (sentAt != null) {
          revocationLatency.accept(Math.max(0, System.currentTimeMillis() - sentAt));
        }
        reply.put("evicted", n);
      }
      case "end-delegate" -> {
        forgetDelegate.accept(cmd.getString("accountId"), cmd.getString("name"));
        reply.put("evicted", index.endDelegate(cmd.getString("delegateId"), CloseReason.valueOf(cmd.getString("reason"))));
      }
      case "approve" -> {
        String account = cmd.getString("accountId");
        cmd.getJsonArray("names").forEach(n -> forgetDelegate.accept(account, (String) n));
        int n = 0;
        for (Object id : cmd.getJsonArray("delegateIds")) {
          n += index.approveDelegate((String) id);
        }
        reply.put("approved", n);
      }
      case "message" -> {
        JsonObject frame = new JsonObject().put("type", "message").put("id", cmd.getString("id"))
            .put("payload", cmd.getJsonObject("payload"));
        String text = frame.encode();
        int n = 0;
        for (DelegateSession s : index.ofDelegate(cmd.getString("delegateId"))) {
          if (!s.pending() && !s.closed()) {
            s.sendRaw(text);
            n++;
          }
        }
        reply.put("delivered", n);
      }
      case "token-sessions" -> reply.put("items", describe(index.ofToken(cmd.getString("tokenId"))));
      case "account-sessions" -> {
        String account = cmd.getString("accountId");
        reply.put("items", describe(index.matching(s -> s.accountId().equals(account))));
      }
      case "count" -> reply.put("sessions", index.size());
      case "forget-profile" -> forgetProfile.accept(cmd.getString("accountId"), cmd.getString("name"));
      default -> {
        return Future.failedFuture("unknown command " + op);
      }
    }
    return Future.succeededFuture(reply);
  }

  private JsonArray describe(List<DelegateSession> sessions) {
    JsonArray out = new JsonArray();
    for (DelegateSession s : sessions) {
      out.add(new JsonObject()
          .put("delegateId", s.delegateId())
          .put("delegate", s.delegateName())
          .put("instance", s.instance())
          .put("tokenId", s.tokenId())
          .put("node", nodeId)
          .put("connectedAt", Instant.ofEpochMilli(s.connectedAtMillis()).toString())
          .put("lastHeartbeatAt", Instant.ofEpochMilli(s.lastHeartbeatMillis()).toString()));
    }
    return out;
  }
}
