package io.delegatebroker.broker.cluster.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.DelegateSession;
import io.delegatebroker.broker.session.SessionCommands;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.session.SessionView;
import io.delegatebroker.broker.session.Tombstones;
import io.delegatebroker.broker.testkit.FakeWebSocket;
import io.delegatebroker.broker.testkit.FakeWebSocket.Close;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifies what each cluster command does on the node that receives it, without Hazelcast or sockets: the command is
 * applied to this node's {@link SessionCommands} over a real {@link SessionIndex} of sessions on recording sockets,
 * and its reply, the close frames, the frames sent and the caches it drops are checked.
 */
@Timeout(10)
class NodeCommandHandlingTest {

  private static final String NODE = "node-a";
  private static final String ACC = "acc-1";

  private final Tombstones tombstones = new Tombstones();
  private final List<SessionIndex.SessionEnd> ends = new CopyOnWriteArrayList<>();
  private final SessionIndex index = new SessionIndex(tombstones, ends::add);
  private final List<String> forgottenTokens = new CopyOnWriteArrayList<>();
  private final List<String> forgottenDelegates = new CopyOnWriteArrayList<>();
  private final List<String> forgottenProfiles = new CopyOnWriteArrayList<>();
  private final List<Long> revocationLatencies = new CopyOnWriteArrayList<>();
  private final SessionCommands local = new SessionCommands(NODE, index, forgottenTokens::add,
      (acc, name) -> forgottenDelegates.add(acc + "/" + name), (acc, name) -> forgottenProfiles.add(acc + "/" + name),
      revocationLatencies::add);
  private final Map<DelegateSession, FakeWebSocket> sockets = new HashMap<>();

  /** A session of the account, indexed here; its welcome is sent, so later frames follow it. */
  private DelegateSession connect(String delegateId, String name, String instance, String tokenId, boolean pending) {
    FakeWebSocket socket = new FakeWebSocket();
    DelegateSession s = new DelegateSession(ACC, delegateId, name, instance, tokenId, pending, socket.socket());
    sockets.put(s, socket);
    assertTrue(index.add(s), "indexed");
    s.welcome(new JsonObject().put("type", "welcome"));
    return s;
  }

  private List<Close> closes(DelegateSession s) {
    return sockets.get(s).closes();
  }

  /** The frame types sent after the welcome. */
  private List<String> framesAfterWelcome(DelegateSession s) {
    List<String> texts = sockets.get(s).texts();
    return texts.subList(1, texts.size()).stream().map(t -> new JsonObject(t).getString("type")).toList();
  }

  private static Close closeOf(CloseReason reason) {
    return new Close(reason.code(), reason.text());
  }

  /** Verifies that a revoke closes exactly the token's sessions with 4001, drops the cached token and counts once. */
  @Test
  void revokeTokenClosesTheTokensSessionsAndReportsThemOnce() {
    // GIVEN two sessions of token t1 (two delegates) and one of t2
    DelegateSession a = connect("d1", "one", "i-1", "t1", false);
    DelegateSession b = connect("d2", "two", "i-1", "t1", true);
    DelegateSession other = connect("d3", "three", "i-1", "t2", false);

    // WHEN the node runs a revoke of t1
    NodeReply reply = new RevokeToken("t1", "hash-t1").applyTo(local);

    // THEN it answers for this node with the two sessions, closed with 4001, and the cached token is dropped
    assertEquals(NODE, reply.node());
    assertEquals(2, reply.count());
    assertEquals(List.of(closeOf(CloseReason.TOKEN_REVOKED)), closes(a));
    assertEquals(List.of(closeOf(CloseReason.TOKEN_REVOKED)), closes(b));
    assertEquals(List.of(), closes(other));
    assertEquals(List.of(other), index.all());
    assertEquals(List.of("hash-t1"), forgottenTokens);
    assertEquals(1, revocationLatencies.size());
    assertTrue(revocationLatencies.get(0) >= 0);
    // AND a repeated revoke reports nothing new, and a connect of the token that arrives late is closed at once
    assertEquals(0, new RevokeToken("t1", "hash-t1").applyTo(local).count());
    DelegateSession late = new DelegateSession(ACC, "d1", "one", "i-2", "t1", false, new FakeWebSocket().socket());
    assertFalse(index.add(late));
    assertEquals(CloseReason.TOKEN_REVOKED, late.closeReason());
  }

  /** Verifies that rejecting or deleting a delegate closes its sessions with its code and drops its registration. */
  @ParameterizedTest
  @EnumSource(value = CloseReason.class, names = {"DELEGATE_REJECTED", "DELEGATE_DELETED"})
  void endDelegateClosesItsSessionsWithItsCode(CloseReason reason) {
    DelegateSession first = connect("d1", "worker", "i-1", "t1", false);
    DelegateSession second = connect("d1", "worker", "i-2", "t1", true);
    DelegateSession other = connect("d2", "other", "i-1", "t1", false);

    NodeReply reply = new EndDelegate(ACC, "d1", "worker", reason).applyTo(local);

    assertEquals(2, reply.count());
    assertEquals(List.of(closeOf(reason)), closes(first));
    assertEquals(List.of(closeOf(reason)), closes(second));
    assertEquals(List.of(), closes(other));
    assertEquals(List.of(ACC + "/worker"), forgottenDelegates);
    assertEquals(2, ends.stream().filter(e -> e.reason() == reason).count());
    assertEquals(0, new EndDelegate(ACC, "d1", "worker", reason).applyTo(local).count(), "reported once");
  }

  /** A delegate is only ever ended by rejection or deletion: any other reason is refused when the command is made. */
  @ParameterizedTest
  @EnumSource(value = CloseReason.class, mode = EnumSource.Mode.EXCLUDE,
      names = {"DELEGATE_REJECTED", "DELEGATE_DELETED"})
  void endDelegateRefusesOtherReasons(CloseReason reason) {
    assertThrows(IllegalArgumentException.class, () -> new EndDelegate(ACC, "d1", "worker", reason));
  }

  /** Verifies that approval tells each pending session of the delegates, and none that is active already. */
  @Test
  void approveDelegatesApprovesOnlyPendingSessions() {
    DelegateSession pending1 = connect("d1", "one", "i-1", "t1", true);
    DelegateSession pending2 = connect("d1", "one", "i-2", "t1", true);
    DelegateSession active = connect("d1", "one", "i-3", "t1", false);
    DelegateSession notNamed = connect("d9", "nine", "i-1", "t1", true);

    NodeReply reply = new ApproveDelegates(ACC, List.of("d1", "d2"), List.of("one", "two")).applyTo(local);

    assertEquals(2, reply.count());
    assertEquals(List.of("approved"), framesAfterWelcome(pending1));
    assertEquals(List.of("approved"), framesAfterWelcome(pending2));
    assertEquals(List.of(), framesAfterWelcome(active));
    assertTrue(notNamed.pending());
    assertEquals(List.of(ACC + "/one", ACC + "/two"), forgottenDelegates);
    // a pending session of an approved delegate indexed afterwards is approved as it is indexed
    DelegateSession late = new DelegateSession(ACC, "d2", "two", "i-1", "t1", true, new FakeWebSocket().socket());
    assertTrue(index.add(late));
    assertFalse(late.pending());
  }

  /** Verifies that a message goes to every open, active session of the delegate, and is counted. */
  @Test
  void sendMessageReachesTheDelegatesActiveSessions() {
    DelegateSession one = connect("d1", "worker", "i-1", "t1", false);
    DelegateSession two = connect("d1", "worker", "i-2", "t1", false);
    DelegateSession waiting = connect("d1", "worker", "i-3", "t1", true);
    DelegateSession elsewhere = connect("d2", "other", "i-1", "t1", false);
    String frame = new JsonObject().put("type", "message").put("id", "m1").put("payload", new JsonObject()).encode();

    NodeReply reply = new SendMessage("d1", frame).applyTo(local);

    assertEquals(2, reply.count());
    assertEquals(frame, sockets.get(one).texts().get(1));
    assertEquals(List.of("message"), framesAfterWelcome(two));
    assertEquals(List.of(), framesAfterWelcome(waiting));
    assertEquals(List.of(), framesAfterWelcome(elsewhere));
    assertEquals(0, new SendMessage("nobody", frame).applyTo(local).count());
  }

  /** Verifies each listing scope's answer: the sessions with this node's id, counts per token, the node's total. */
  @Test
  void listSessionsAnswersEachScopeFromThisNode() {
    connect("d1", "one", "i-1", "t1", false);
    connect("d1", "one", "i-2", "t1", true);
    connect("d2", "two", "i-1", "t2", false);
    index.add(new DelegateSession("acc-2", "d3", "three", "i-1", "t3", false, new FakeWebSocket().socket()));

    List<SessionView> ofToken = ListSessions.ofToken("t1").applyTo(local).sessions();
    List<SessionView> ofAccount = ListSessions.ofAccount(ACC).applyTo(local).sessions();
    NodeReply counts = ListSessions.tokenCounts(ACC).applyTo(local);
    NodeReply total = ListSessions.nodeCount().applyTo(local);

    assertEquals(List.of("i-1", "i-2"), ofToken.stream().map(SessionView::instance).sorted().toList());
    assertTrue(ofToken.stream().allMatch(v -> v.node().equals(NODE) && v.tokenId().equals("t1")));
    assertEquals(3, ofAccount.size());
    assertEquals(Map.of("t1", 2, "t2", 1), counts.counts());
    assertEquals(4, total.count());
    assertEquals(List.of(), ListSessions.ofToken("unknown").applyTo(local).sessions());
  }

  static Stream<Arguments> claims() {
    return Stream.of(
        // stamp of the claim relative to the local session's, the claiming node, whether the local one yields
        Arguments.of(1L, "node-b", true),
        Arguments.of(-1L, "node-b", false),
        Arguments.of(0L, "node-b", true),
        Arguments.of(0L, "node-0", false));
  }

  /**
   * Verifies that a claim from another node closes the local session of the instance with 4005 only when the local
   * one connected earlier in the cluster-wide order (stamp, then node id on a tie).
   */
  @ParameterizedTest
  @MethodSource("claims")
  void claimInstancesClosesOnlyAnOlderLocalCopy(long offset, String claimant, boolean yields) {
    DelegateSession mine = connect("d1", "worker", "i-1", "t1", false);

    long[] stamps = {mine.connectStamp() + offset};
    NodeReply reply = new ClaimInstances(claimant, List.of(mine.instanceKey()), stamps).applyTo(local);

    assertEquals(yields ? 1 : 0, reply.count());
    assertEquals(yields ? List.of(closeOf(CloseReason.REPLACED)) : List.of(), closes(mine));
    assertEquals(yields ? 0 : 1, index.size());
  }

  /** A claim for an instance this node does not hold changes nothing, and a claim must carry a stamp per instance. */
  @Test
  void claimOfAnUnknownInstanceChangesNothing() {
    DelegateSession mine = connect("d1", "worker", "i-1", "t1", false);

    assertEquals(0, new ClaimInstances("node-b", List.of("elsewhere"), new long[] {Long.MAX_VALUE}).applyTo(local)
        .count());
    assertFalse(mine.closed());
    assertThrows(IllegalArgumentException.class, () -> new ClaimInstances("node-b", List.of("a", "b"), new long[1]));
  }

  /** Verifies that forgetting a profile drops it from this node's cache and closes nothing. */
  @Test
  void forgetProfileDropsTheCachedProfileOnly() {
    DelegateSession s = connect("d1", "worker", "i-1", "t1", false);

    NodeReply reply = new ForgetProfile(ACC, "gpu").applyTo(local);

    assertEquals(0, reply.count());
    assertEquals(List.of(ACC + "/gpu"), forgottenProfiles);
    assertFalse(s.closed());
  }

  /** Verifies that a command arriving before the node bound its sessions is refused, and runs once bound. */
  @Test
  void commandRunsOnlyOnceBoundToThisNode() {
    connect("d1", "worker", "i-1", "t1", false);
    NodeCommand command = ListSessions.nodeCount();

    assertThrows(IllegalStateException.class, command::call);
    command.bind(local);
    assertEquals(1, command.call().count());
  }

  static Stream<Arguments> lanes() {
    return Stream.of(
        Arguments.of(new RevokeToken("t", "h"), Lane.CONTROL),
        Arguments.of(new EndDelegate(ACC, "d", "n", CloseReason.DELEGATE_DELETED), Lane.CONTROL),
        Arguments.of(new ApproveDelegates(ACC, List.of(), List.of()), Lane.CONTROL),
        Arguments.of(new SendMessage("d", "{}"), Lane.CONTROL),
        Arguments.of(new ForgetProfile(ACC, "p"), Lane.CONTROL),
        Arguments.of(ListSessions.ofAccount(ACC), Lane.QUERY),
        Arguments.of(new ClaimInstances("n", List.of(), new long[0]), Lane.CLAIMS));
  }

  /** Listings never queue ahead of revocations, nor claims of a connect storm ahead of either: each has its lane. */
  @ParameterizedTest
  @MethodSource("lanes")
  void eachCommandRunsOnItsLane(NodeCommand command, Lane lane) {
    assertEquals(lane, command.lane());
  }
}
