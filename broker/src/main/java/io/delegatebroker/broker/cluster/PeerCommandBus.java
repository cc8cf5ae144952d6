package io.delegatebroker.broker.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.routes.ErrorResponses;
import io.delegatebroker.api.routes.JsonBodyReader;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out straight to the peers: Hazelcast supplies membership (who is live, found by heartbeats, read locally) and
 * each member's admin address (member attributes); the command itself is one HTTP request per peer to its admin port,
 * all in parallel, each bounded by {@link #CONFIRM_TIMEOUT_MILLIS}. Nothing on this path touches a Hazelcast
 * partition, so a frozen member delays only its own confirmation. (A reliable topic was tried first: its ring buffer
 * lives on one partition, and when the frozen member owned it no member received the command.) Peers authenticate
 * with a secret derived from the shared root admin key.
 */
public final class PeerCommandBus implements NodeCommandBus {

  /** Path of the peer endpoint on the admin port. */
  public static final String PATH = "/internal/v1/commands";
  public static final String ADMIN_PORT_ATTRIBUTE = "broker.adminPort";
  public static final String ADMIN_TLS_ATTRIBUTE = "broker.adminTls";
  private static final Logger LOG = LoggerFactory.getLogger(PeerCommandBus.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final String peerAuthorization;
  private final Function<JsonObject, Future<JsonObject>> handler;
  private final HttpClientAgent client;

  public PeerCommandBus(Vertx vertx, HazelcastInstance hazelcast, String nodeId, String rootKey, boolean tls,
      Function<JsonObject, Future<JsonObject>> handler) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.peerAuthorization = "Peer " + peerSecret(rootKey);
    this.handler = handler;
    // Peers are found by address, not by name: with TLS the peer's certificate is not checked against a host name.
    // Idle pooled connections are dropped after 5 s, before the peer's admin port closes them
    // (BROKER_ADMIN_IDLE_TIMEOUT_SECONDS), so a command is never written on a connection the peer is closing.
    this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setTrustAll(tls).setVerifyHost(false)
        .setConnectTimeout(2000).setKeepAlive(true).setKeepAliveTimeout(PEER_KEEP_ALIVE_SECONDS),
        new PoolOptions().setHttp1MaxSize(8));
  }

  /** How long an idle connection to a peer is kept; the admin keep-alive limit must stay above it in a cluster. */
  public static final int PEER_KEEP_ALIVE_SECONDS = 5;

  /** The secret peers present: a one-way derivation of the root key, so the key itself never travels. */
  public static String peerSecret(String rootKey) {
    return Secrets.hash("broker-peer:" + rootKey);
  }

  @Override
  public Future<FanoutResult> fanout(JsonObject command) {
    List<Future<JsonObject>> calls = new ArrayList<>();
    boolean self = false;
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE);
      if (nodeId.equals(id)) {
        self = true;
      } else {
        calls.add(send(m, id, command));
      }
    }
    // The peers' requests are on their way before this node does its own share, so all nodes work in parallel.
    if (self) {
      calls.add(handler.apply(command.copy()).map(r -> r.put("node", nodeId)));
    }
    Promise<FanoutResult> result = Promise.promise();
    long timer = vertx.setTimer(CONFIRM_TIMEOUT_MILLIS + 250, t -> result.tryComplete(collect(calls)));
    Future.join(calls).onComplete(ar -> {
      vertx.cancelTimer(timer);
      result.tryComplete(collect(calls));
    });
    return result.future();
  }

  private static FanoutResult collect(List<Future<JsonObject>> calls) {
    List<JsonObject> replies = new ArrayList<>();
    boolean complete = true;
    for (Future<JsonObject> f : calls) {
      if (f.succeeded()) {
        replies.add(f.result());
      } else {
        complete = false;
      }
    }
    return new FanoutResult(replies, complete);
  }

  private Future<JsonObject> send(Member m, String id, JsonObject command) {
    String port = m.getAttribute(ADMIN_PORT_ATTRIBUTE);
    if (port == null) {
      return Future.failedFuture("member " + id + " has no admin port");
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost(m.getAddress().getHost()).setPort(Integer.parseInt(port)).setURI(PATH)
        .setTimeout(CONFIRM_TIMEOUT_MILLIS).putHeader("Authorization", peerAuthorization)
        .putHeader("content-type", "application/json");
    return client.request(options)
        .compose(req -> req.send(command.toBuffer()))
        .compose(resp -> resp.body().compose(body -> resp.statusCode() == 200
            ? Future.succeededFuture(new JsonObject(body).put("node", id))
            : Future.failedFuture("peer " + id + " answered " + resp.statusCode())))
        .onFailure(t -> LOG.warn("node {} did not confirm a {} command: {}", id, command.getString("op"), t.getMessage()));
  }

  /** The peer endpoint's first handler: checks the peer credential from the headers, before the body is read. */
  public void authenticate(RoutingContext ctx) {
    String auth = ctx.request().getHeader("Authorization");
    if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
        peerAuthorization.getBytes(StandardCharsets.UTF_8))) {
      ErrorResponses.sendUnread(ctx.request(), new BrokerException(ErrorCode.UNAUTHORIZED, "Peer authentication failed."));
      return;
    }
    ctx.next();
  }

  /** The peer endpoint: runs a command sent by another node on this node's sessions. */
  public void handle(RoutingContext ctx) {
    Future<JsonObject> result;
    try {
      result = handler.apply(new JsonObject(JsonBodyReader.body(ctx)));
    } catch (RuntimeException e) {
      // not a JSON object, or a command missing its fields
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(ar.result().encode());
      } else {
        ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
            .end("{\"error\":{\"code\":\"bad_request\",\"message\":\"Unknown command.\"}}");
      }
    });
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> liveNodes() {
    List<String> out = new ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE);
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }
}
