package io.delegatebroker.broker.net;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The address a request comes from, as the failed-handshake limit and the logs see it. It is the TCP peer, unless the
 * peer is one of the configured trusted proxies ({@code BROKER_TRUSTED_PROXIES}, none by default): then it is the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries left of the first one that is
 * not an IP address are ignored, since anything a client wrote there could be forged; an untrusted peer's header is
 * never read at all.
 */
public final class ClientAddresses {

  public static final String FORWARDED_FOR = "X-Forwarded-For";

  private final Set<String> trusted;

  public ClientAddresses(Collection<String> trustedProxies) {
    this.trusted = Set.copyOf(trustedProxies);
  }

  /** The TCP peer's address, {@code ?} when unknown. */
  public static String peer(SocketAddress remote) {
    return remote == null || remote.hostAddress() == null ? "?" : remote.hostAddress();
  }

  public boolean trusted(String peerAddress) {
    return trusted.contains(peerAddress);
  }

  /** The client's address for this request. */
  public String of(HttpServerRequest req) {
    String peer = peer(req.remoteAddress());
    if (!trusted.contains(peer)) {
      return peer;
    }
    List<String> entries = new ArrayList<>();
    for (String header : req.headers().getAll(FORWARDED_FOR)) {
      for (String e : header.split(",")) {
        entries.add(e);
      }
    }
    String client = peer;
    for (int i = entries.size() - 1; i >= 0; i--) {
      String hop = IpLiteral.normalize(entries.get(i));
      if (hop == null) {
        break;
      }
      client = hop;
      if (!trusted.contains(hop)) {
        break;
      }
    }
    return client;
  }
}
