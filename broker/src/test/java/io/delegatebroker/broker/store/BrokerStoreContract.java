package io.delegatebroker.broker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.broker.domain.Account;
import io.delegatebroker.broker.domain.AdminKey;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.Secrets;
import io.delegatebroker.broker.domain.Times;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateState;
import io.delegatebroker.broker.domain.store.BrokerStore.Revocation;
import io.delegatebroker.broker.testkit.Await;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link BrokerStore} must show, whatever keeps the data. Subclasses supply the store; each test
 * works in accounts of its own, so one store serves the whole class.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BrokerStoreContract {

  private ExecutorService racers;

  /** The store under test; the same instance for every test of the class. */
  protected abstract BrokerStore store();

  @BeforeAll
  void startRacers() {
    racers = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  void stopRacers() throws InterruptedException {
    racers.shutdownNow();
    racers.awaitTermination(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- fixtures

  /** Milliseconds, like everything the broker stores, so that what is written equals what is read back. */
  protected static Instant now() {
    return Times.now();
  }

  protected static AuditEvent event(String accountId, String action, String target) {
    return new AuditEvent(accountId, now(), "root", action, target);
  }

  protected static TokenRecord token(String accountId, String name, String project) {
    return new TokenRecord(Secrets.newId(), accountId, name, project, Secrets.hash(Secrets.newValue("dt_")),
        TokenStatus.ACTIVE, now(), null, null, null);
  }

  protected static Delegate candidate(String accountId, String name, DelegateStatus status, String tokenName, String profile) {
    return new Delegate(Secrets.newId(), accountId, name, "SHELL_SCRIPT", profile, null, status, tokenName, now());
  }

  /** A new account with its default token and primary profile; returns its id. */
  protected String newAccount() {
    return newAccountWith(token(null, "default", null)).id();
  }

  private Account newAccountWith(TokenRecord templateToken) {
    Account account = new Account(Secrets.newId(), "Acme", now());
    TokenRecord t = new TokenRecord(templateToken.id(), account.id(), templateToken.name(), templateToken.project(),
        templateToken.hash(), templateToken.status(), templateToken.createdAt(), null, null, null);
    Profile primary = new Profile(account.id(), Profile.PRIMARY, false, null, now());
    await(store().createAccount(account, t, primary, event(account.id(), "account.create", "account/" + account.id())));
    return account;
  }

  protected String pendingDelegate(String accountId, String name, String tokenName, String profile) {
    return await(store().registerDelegate(candidate(accountId, name, DelegateStatus.PENDING_APPROVAL, tokenName, profile))).id();
  }

  protected static <T> T await(Future<T> f) {
    return Await.result(f, 30);
  }

  /** Runs the call expecting a {@link BrokerException}, and returns it. */
  protected static BrokerException failure(Future<?> f) {
    try {
      Object v = await(f);
      return fail("expected a failure, got " + v);
    } catch (BrokerException e) {
      return e;
    }
  }

  private List<String> actions(String accountId) {
    return await(store().listAudit(accountId, 1000)).stream().map(AuditEvent::action).toList();
  }

  // ---------------------------------------------------------------- accounts

  /** Verifies that creating an account also creates its default token, its primary profile and one audit event. */
  @Test
  void createAccountCreatesTokenProfileAndAudit() {
    // GIVEN a new account, its default token and primary profile
    TokenRecord template = token(null, "default", null);

    // WHEN the account is created
    Account account = newAccountWith(template);
    String acc = account.id();

    // THEN all four are there
    assertEquals(Optional.of(account), await(store().findAccount(acc)));
    TokenRecord t = await(store().findToken(acc, "default")).orElseThrow();
    assertEquals(template.hash(), t.hash());
    assertEquals(TokenStatus.ACTIVE, t.status());
    Profile primary = await(store().findProfile(acc, Profile.PRIMARY)).orElseThrow();
    assertFalse(primary.approvalRequired());
    assertNull(primary.startupScript());
    List<AuditEvent> audit = await(store().listAudit(acc, 10));
    assertEquals(1, audit.size());
    assertEquals("account.create", audit.get(0).action());
    assertEquals("account/" + acc, audit.get(0).target());
  }

  /** Verifies that an account whose default token cannot be stored is not created at all: no account, profile or audit. */
  @Test
  void createAccountIsAtomic() {
    // GIVEN an account whose default token hash is taken
    String first = newAccount();
    TokenRecord taken = await(store().findToken(first, "default")).orElseThrow();

    // WHEN a second account is created with a default token of the same hash
    Account second = new Account(Secrets.newId(), "Copy", now());
    TokenRecord clash = new TokenRecord(Secrets.newId(), second.id(), "default", null, taken.hash(), TokenStatus.ACTIVE,
        now(), null, null, null);
    BrokerException e = failure(store().createAccount(second, clash,
        new Profile(second.id(), Profile.PRIMARY, false, null, now()), event(second.id(), "account.create", "account/x")));

    // THEN it fails with conflict and left nothing behind
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertTrue(await(store().findAccount(second.id())).isEmpty());
    assertTrue(await(store().findProfile(second.id(), Profile.PRIMARY)).isEmpty());
    assertTrue(await(store().findToken(second.id(), "default")).isEmpty());
    assertTrue(await(store().listAudit(second.id(), 10)).isEmpty());
    assertEquals(first, await(store().findTokenByHash(taken.hash())).orElseThrow().accountId());
  }

  /** Verifies that accounts are listed, each once, and an unknown account is not found. */
  @Test
  void listAccountsListsEveryAccount() {
    // GIVEN two new accounts
    String a = newAccount();
    String b = newAccount();

    // WHEN the accounts are listed
    List<String> ids = await(store().listAccounts()).stream().map(Account::id).toList();

    // THEN both appear once, in creation order
    assertEquals(1, ids.stream().filter(a::equals).count());
    assertEquals(1, ids.stream().filter(b::equals).count());
    assertTrue(ids.indexOf(a) < ids.indexOf(b));
    assertTrue(await(store().findAccount("no-such-account")).isEmpty());
  }

  // ---------------------------------------------------------------- tokens

  /** Verifies that a second token of the same name in one account is refused with conflict and changes nothing. */
  @Test
  void insertTokenWithTakenNameConflictsAndChangesNothing() {
    // GIVEN an account with a token t1
    String acc = newAccount();
    TokenRecord t1 = token(acc, "t1", "p1");
    await(store().insertToken(t1, event(acc, "token.create", "token/t1")));
    int auditBefore = actions(acc).size();

    // WHEN another token named t1 is inserted
    TokenRecord dup = token(acc, "t1", "p2");
    BrokerException e = failure(store().insertToken(dup, event(acc, "token.create", "token/t1")));

    // THEN it is a conflict; the first token is unchanged, the second is nowhere, and nothing was audited
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertEquals(Optional.of(t1), await(store().findToken(acc, "t1")));
    assertTrue(await(store().findTokenByHash(dup.hash())).isEmpty());
    assertEquals(auditBefore, actions(acc).size());

    // AND the same name in another account is fine
    String other = newAccount();
    await(store().insertToken(token(other, "t1", null), event(other, "token.create", "token/t1")));
  }

  /** Verifies that listing tokens filters by status and project, and never shows another account's tokens. */
  @Test
  void listTokensFiltersByStatusAndProject() {
    // GIVEN tokens in two projects, one of them revoked
    String acc = newAccount();
    for (String[] t : new String[][] {{"a1", "pa"}, {"a2", "pa"}, {"b1", "pb"}}) {
      await(store().insertToken(token(acc, t[0], t[1]), event(acc, "token.create", "token/" + t[0])));
    }
    await(store().revokeToken(acc, "a2", event(acc, "token.revoke", "token/a2")));
    String other = newAccount();

    // WHEN / THEN each filter returns exactly its tokens
    assertEquals(List.of("a1", "a2", "b1", "default"), names(store().listTokens(acc, null, null)));
    assertEquals(List.of("a1", "b1", "default"), names(store().listTokens(acc, TokenStatus.ACTIVE, null)));
    assertEquals(List.of("a2"), names(store().listTokens(acc, TokenStatus.REVOKED, null)));
    assertEquals(List.of("a1", "a2"), names(store().listTokens(acc, null, "pa")));
    assertEquals(List.of("a1"), names(store().listTokens(acc, TokenStatus.ACTIVE, "pa")));
    assertEquals(List.of(), names(store().listTokens(acc, TokenStatus.REVOKED, "pb")));
    assertEquals(List.of("default"), names(store().listTokens(other, null, null)));
  }

  /** Names in alphabetical order: tokens created in the same millisecond have no defined order between stores. */
  private static List<String> names(Future<List<TokenRecord>> tokens) {
    return await(tokens).stream().map(TokenRecord::name).sorted().toList();
  }

  /** Verifies that a token is found by the hash of its value, and an unknown hash finds nothing. */
  @Test
  void findTokenByHashFindsTheToken() {
    // GIVEN a token
    String acc = newAccount();
    TokenRecord t = token(acc, "by-hash", "proj");
    await(store().insertToken(t, event(acc, "token.create", "token/by-hash")));

    // WHEN / THEN its hash finds it, with every field as written
    assertEquals(Optional.of(t), await(store().findTokenByHash(t.hash())));
    assertTrue(await(store().findTokenByHash(Secrets.hash("not-a-token"))).isEmpty());
  }

  /**
   * Verifies that revoking changes a token once, stamped by the store: a second revoke reports no change, keeps the
   * first time and writes no audit event.
   */
  @Test
  void revokeTokenChangesOnce() {
    // GIVEN an active token
    String acc = newAccount();
    await(store().insertToken(token(acc, "rot-1", null), event(acc, "token.create", "token/rot-1")));
    Instant before = now();

    // WHEN it is revoked twice
    Revocation first = await(store().revokeToken(acc, "rot-1", event(acc, "token.revoke", "token/rot-1"))).orElseThrow();
    Revocation second = await(store().revokeToken(acc, "rot-1", event(acc, "token.revoke", "token/rot-1"))).orElseThrow();

    // THEN only the first changed it, and only it was audited
    assertTrue(first.changed());
    assertEquals(TokenStatus.REVOKED, first.token().status());
    Instant at = first.token().revokedAt();
    // the store's clock stamps it (on this machine the test's clock is the same one, give or take a second)
    assertTrue(Math.abs(at.toEpochMilli() - before.toEpochMilli()) < 1000, "revokedAt " + at + ", before " + before);
    assertFalse(second.changed());
    assertEquals(at, second.token().revokedAt());
    assertEquals(Optional.of(at), await(store().findToken(acc, "rot-1")).map(TokenRecord::revokedAt));
    assertEquals(1, actions(acc).stream().filter("token.revoke"::equals).count());
    assertTrue(await(store().revokeToken(acc, "no-such", event(acc, "token.revoke", "token/no-such"))).isEmpty());
  }

  /**
   * Verifies the safety net's query: for the ids asked, which tokens are revoked and which are past their expiry by
   * the store's clock; ids the store does not know are left out; many ids are answered in one call.
   */
  @Test
  void tokenStatesTellRevokedAndExpiredTokens() {
    // GIVEN an active token, a revoked one, one past its expiry and one expiring later
    String acc = newAccount();
    TokenRecord active = token(acc, "active", null);
    TokenRecord revoked = token(acc, "revoked", null);
    TokenRecord expired = expiring(token(acc, "expired", null), now().minusSeconds(60));
    TokenRecord later = expiring(token(acc, "later", null), now().plusSeconds(3600));
    for (TokenRecord t : List.of(active, revoked, expired, later)) {
      await(store().insertToken(t, event(acc, "token.create", "token/" + t.name())));
    }
    await(store().revokeToken(acc, "revoked", event(acc, "token.revoke", "token/revoked")));
    List<String> ids = new java.util.ArrayList<>(List.of(active.id(), revoked.id(), expired.id(), later.id()));
    for (int i = 0; i < 600; i++) {
      ids.add(Secrets.newId());
    }

    // WHEN their states are asked in one call, among 600 unknown ids
    Map<String, BrokerStore.TokenState> states = new java.util.HashMap<>();
    await(store().tokenStates(ids)).forEach(s -> states.put(s.id(), s));

    // THEN exactly the four known tokens answer, each with its state and hash
    assertEquals(java.util.Set.of(active.id(), revoked.id(), expired.id(), later.id()), states.keySet());
    assertEquals(new BrokerStore.TokenState(active.id(), active.hash(), false, false), states.get(active.id()));
    assertEquals(new BrokerStore.TokenState(revoked.id(), revoked.hash(), true, false), states.get(revoked.id()));
    assertEquals(new BrokerStore.TokenState(expired.id(), expired.hash(), false, true), states.get(expired.id()));
    assertEquals(new BrokerStore.TokenState(later.id(), later.hash(), false, false), states.get(later.id()));
    assertTrue(await(store().tokenStates(List.of())).isEmpty());
  }

  private static TokenRecord expiring(TokenRecord t, Instant at) {
    return new TokenRecord(t.id(), t.accountId(), t.name(), t.project(), t.hash(), t.status(), t.createdAt(), at,
        t.revokedAt(), t.lastUsedAt());
  }

  /** Verifies that recording last use only ever moves a token's lastUsedAt forward. */
  @Test
  void touchTokensOnlyMovesForward() {
    // GIVEN a token never used
    String acc = newAccount();
    TokenRecord t = token(acc, "used", null);
    await(store().insertToken(t, event(acc, "token.create", "token/used")));
    Instant t0 = now();

    // WHEN / THEN a use is recorded, an older one is ignored, a newer one wins
    await(store().touchTokens(Map.of(t.id(), t0)));
    assertEquals(t0, lastUsed(acc));
    await(store().touchTokens(Map.of(t.id(), t0.minusSeconds(30))));
    assertEquals(t0, lastUsed(acc));
    await(store().touchTokens(Map.of(t.id(), t0.plusSeconds(30), "no-such-token-id", t0)));
    assertEquals(t0.plusSeconds(30), lastUsed(acc));
    await(store().touchTokens(Map.of()));
    assertEquals(t0.plusSeconds(30), lastUsed(acc));
  }

  private Instant lastUsed(String acc) {
    return await(store().findToken(acc, "used")).orElseThrow().lastUsedAt();
  }

  // ---------------------------------------------------------------- profiles

  /** Verifies a profile's life: insert, conflict on a taken name, update, delete; each change audited once. */
  @Test
  void profilesInsertConflictUpdateDelete() {
    // GIVEN an account
    String acc = newAccount();
    Profile p = new Profile(acc, "gated", true, "echo hi", now());

    // WHEN a profile is inserted THEN it is found and listed beside primary
    await(store().insertProfile(p, event(acc, "profile.create", "profile/gated")));
    assertEquals(Optional.of(p), await(store().findProfile(acc, "gated")));
    assertEquals(List.of("gated", Profile.PRIMARY),
        await(store().listProfiles(acc)).stream().map(Profile::name).sorted().toList());

    // WHEN the name is inserted again THEN conflict, and the profile is unchanged
    BrokerException e = failure(store().insertProfile(new Profile(acc, "gated", false, null, now()),
        event(acc, "profile.create", "profile/gated")));
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertEquals(Optional.of(p), await(store().findProfile(acc, "gated")));

    // WHEN it is updated THEN the new values are stored, the creation time kept
    Profile changed = new Profile(acc, "gated", false, null, p.createdAt());
    assertEquals(Optional.of(changed), await(store().updateProfile(changed, event(acc, "profile.update", "profile/gated"))));
    assertEquals(Optional.of(changed), await(store().findProfile(acc, "gated")));
    assertTrue(await(store().updateProfile(new Profile(acc, "none", true, null, now()),
        event(acc, "profile.update", "profile/none"))).isEmpty());

    // WHEN it is deleted THEN it is gone, and a second delete finds nothing
    assertTrue(await(store().deleteProfile(acc, "gated", event(acc, "profile.delete", "profile/gated"))));
    assertTrue(await(store().findProfile(acc, "gated")).isEmpty());
    assertFalse(await(store().deleteProfile(acc, "gated", event(acc, "profile.delete", "profile/gated"))));

    assertEquals(List.of("profile.delete", "profile.update", "profile.create", "account.create"), actions(acc));
  }

  // ---------------------------------------------------------------- delegates

  /** Verifies that registering a name twice returns the delegate registered first, and never a duplicate. */
  @Test
  void registerDelegateReturnsTheExistingDelegate() {
    // GIVEN a registered delegate
    String acc = newAccount();
    Delegate first = await(store().registerDelegate(candidate(acc, "k8s-east", DelegateStatus.PENDING_APPROVAL, "default", "primary")));

    // WHEN the same name registers again, with other settings
    Delegate again = await(store().registerDelegate(candidate(acc, "k8s-east", DelegateStatus.ACTIVE, "t2", "other")));

    // THEN the first registration is returned unchanged and listed once
    assertEquals(first, again);
    assertEquals(List.of(first), await(store().listDelegates(acc, null, null)));
    assertEquals(Optional.of(first), await(store().findDelegate(acc, first.id())));
    assertTrue(await(store().findDelegate(newAccount(), first.id())).isEmpty());
  }

  /** Verifies that listing delegates filters by status and project. */
  @Test
  void listDelegatesFiltersByStatusAndProject() {
    // GIVEN an active and a pending delegate in different projects
    String acc = newAccount();
    Delegate a = await(store().registerDelegate(new Delegate(Secrets.newId(), acc, "a", "DOCKER", "primary", "pa",
        DelegateStatus.ACTIVE, "default", now())));
    Delegate b = await(store().registerDelegate(new Delegate(Secrets.newId(), acc, "b", "HELM", "primary", "pb",
        DelegateStatus.PENDING_APPROVAL, "default", now().plusMillis(1))));

    // WHEN / THEN
    assertEquals(List.of(a, b), await(store().listDelegates(acc, null, null)));
    assertEquals(List.of(a), await(store().listDelegates(acc, DelegateStatus.ACTIVE, null)));
    assertEquals(List.of(b), await(store().listDelegates(acc, DelegateStatus.PENDING_APPROVAL, null)));
    assertEquals(List.of(b), await(store().listDelegates(acc, null, "pb")));
    assertEquals(List.of(), await(store().listDelegates(acc, DelegateStatus.ACTIVE, "pb")));
  }

  /** Verifies that approval moves a pending delegate to ACTIVE once: a second approval finds nothing to do. */
  @Test
  void approveDelegateOnlyFromPending() {
    // GIVEN a pending delegate
    String acc = newAccount();
    String id = pendingDelegate(acc, "gated", "default", "primary");

    // WHEN it is approved twice
    Optional<Delegate> first = await(store().approveDelegate(acc, id, event(acc, "delegate.approve", "delegate/" + id)));
    Optional<Delegate> second = await(store().approveDelegate(acc, id, event(acc, "delegate.approve", "delegate/" + id)));

    // THEN the first approves it, the second is empty and not audited
    assertEquals(DelegateStatus.ACTIVE, first.orElseThrow().status());
    assertTrue(second.isEmpty());
    assertEquals(DelegateStatus.ACTIVE, await(store().findDelegate(acc, id)).orElseThrow().status());
    assertEquals(1, actions(acc).stream().filter("delegate.approve"::equals).count());
    assertTrue(await(store().approveDelegate(acc, "no-such", event(acc, "delegate.approve", "delegate/x"))).isEmpty());
    assertTrue(await(store().approveDelegate(newAccount(), id, event(acc, "delegate.approve", "delegate/x"))).isEmpty());
  }

  /** Verifies that of an approval and a rejection of one pending delegate running at once, exactly one wins. */
  @Test
  void concurrentApproveAndRejectExactlyOneWins() throws Exception {
    String acc = newAccount();
    int approvals = 0;
    int rejections = 0;
    for (int i = 0; i < 40; i++) {
      // GIVEN a pending delegate
      String name = "race-" + i;
      String id = pendingDelegate(acc, name, "default", "primary");

      // WHEN it is approved and rejected at the same moment from two threads
      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<Optional<Delegate>> approve = race(start,
          () -> store().approveDelegate(acc, id, event(acc, "delegate.approve", "delegate/" + id)));
      CompletableFuture<Optional<Delegate>> reject = race(start,
          () -> store().rejectDelegate(acc, id, event(acc, "delegate.reject", "delegate/" + id)));
      boolean approved = approve.get(30, TimeUnit.SECONDS).isPresent();
      boolean rejected = reject.get(30, TimeUnit.SECONDS).isPresent();

      // THEN exactly one of them changed it, and the store shows that one's outcome
      assertTrue(approved ^ rejected, "iteration " + i + ": approved=" + approved + " rejected=" + rejected);
      Optional<Delegate> after = await(store().findDelegate(acc, id));
      if (approved) {
        approvals++;
        assertEquals(DelegateStatus.ACTIVE, after.orElseThrow().status());
        assertEquals(id, await(store().registerDelegate(candidate(acc, name, DelegateStatus.PENDING_APPROVAL, "default", "primary"))).id());
      } else {
        rejections++;
        assertTrue(after.isEmpty());
        assertEquals(ErrorCode.DELEGATE_REJECTED,
            failure(store().registerDelegate(candidate(acc, name, DelegateStatus.PENDING_APPROVAL, "default", "primary"))).code());
      }
    }
    // AND one audit event per delegate
    List<String> actions = actions(acc);
    assertEquals(approvals, actions.stream().filter("delegate.approve"::equals).count());
    assertEquals(rejections, actions.stream().filter("delegate.reject"::equals).count());
  }

  private <T> CompletableFuture<T> race(CyclicBarrier start, Supplier<Future<T>> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        start.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return call.get();
    }, racers).thenCompose(f -> f.toCompletionStage());
  }

  /** Verifies that bulk approval by token, or by profile, approves only the pending delegates that match. */
  @Test
  void approveDelegatesApprovesOnlyMatchingPending() {
    // GIVEN pending delegates of tokens t1 and t2 and profiles p and q, and an active one of t1
    String acc = newAccount();
    String t1p = pendingDelegate(acc, "t1-p", "t1", "p");
    String t1q = pendingDelegate(acc, "t1-q", "t1", "q");
    String t2p = pendingDelegate(acc, "t2-p", "t2", "p");
    String t2q = pendingDelegate(acc, "t2-q", "t2", "q");
    Delegate active = await(store().registerDelegate(candidate(acc, "t1-active", DelegateStatus.ACTIVE, "t1", "p")));
    String otherAcc = newAccount();
    String foreign = pendingDelegate(otherAcc, "t1-p", "t1", "p");

    // WHEN the delegates of token t1 are approved
    List<Delegate> byToken = await(store().approveDelegates(acc, "t1", null, event(acc, "delegate.approve_all", "token/t1")));

    // THEN exactly the pending ones of t1 are, and they are returned as ACTIVE
    assertEquals(List.of(t1p, t1q), byToken.stream().map(Delegate::id).sorted(ids(t1p, t1q)).toList());
    assertTrue(byToken.stream().allMatch(d -> d.status() == DelegateStatus.ACTIVE));
    assertEquals(DelegateStatus.PENDING_APPROVAL, status(acc, t2p));
    assertEquals(DelegateStatus.PENDING_APPROVAL, status(acc, t2q));
    assertEquals(active, await(store().findDelegate(acc, active.id())).orElseThrow());
    assertEquals(DelegateStatus.PENDING_APPROVAL, status(otherAcc, foreign));

    // WHEN the delegates of profile q are approved THEN only t2-q was still pending there
    List<Delegate> byProfile = await(store().approveDelegates(acc, null, "q", event(acc, "delegate.approve_all", "profile/q")));
    assertEquals(List.of(t2q), byProfile.stream().map(Delegate::id).toList());
    assertEquals(DelegateStatus.PENDING_APPROVAL, status(acc, t2p));
    assertEquals(DelegateStatus.ACTIVE, status(acc, t2q));

    // AND nothing pending is left for t1
    assertEquals(List.of(), await(store().approveDelegates(acc, "t1", null, event(acc, "delegate.approve_all", "token/t1"))));
  }

  private static java.util.Comparator<String> ids(String... order) {
    List<String> l = List.of(order);
    return java.util.Comparator.comparingInt(l::indexOf);
  }

  private DelegateStatus status(String acc, String id) {
    return await(store().findDelegate(acc, id)).orElseThrow().status();
  }

  /** Verifies that only a pending delegate can be rejected, that it is removed, and that its name is refused later. */
  @Test
  void delegateStatesTellLiveRejectedAndDeletedApart() {
    // GIVEN an active, a pending, a rejected and a deleted delegate
    String acc = newAccount();
    Delegate active = await(store().registerDelegate(candidate(acc, "s-active", DelegateStatus.ACTIVE, "default", "primary")));
    String pending = pendingDelegate(acc, "s-pending", "default", "primary");
    String rejected = pendingDelegate(acc, "s-rejected", "default", "primary");
    await(store().rejectDelegate(acc, rejected, event(acc, "delegate.reject", "delegate/" + rejected)));
    Delegate deleted = await(store().registerDelegate(candidate(acc, "s-deleted", DelegateStatus.ACTIVE, "default", "primary")));
    await(store().deleteDelegate(acc, deleted.id(), event(acc, "delegate.delete", "delegate/" + deleted.id())));

    // WHEN a node asks for their states THEN each is told apart
    var states = await(store().delegateStates(List.of(
        new BrokerStore.DelegateRef(active.id(), acc, "s-active"),
        new BrokerStore.DelegateRef(pending, acc, "s-pending"),
        new BrokerStore.DelegateRef(rejected, acc, "s-rejected"),
        new BrokerStore.DelegateRef(deleted.id(), acc, "s-deleted"))));
    assertEquals(DelegateState.ACTIVE, states.get(active.id()));
    assertEquals(DelegateState.PENDING_APPROVAL, states.get(pending));
    assertEquals(DelegateState.REJECTED, states.get(rejected));
    assertEquals(DelegateState.DELETED, states.get(deleted.id()));
    assertTrue(await(store().delegateStates(List.of())).isEmpty());
  }

  @Test
  void rejectDelegateOnlyFromPendingAndLeavesTombstone() {
    // GIVEN a pending and an active delegate
    String acc = newAccount();
    String pending = pendingDelegate(acc, "pending", "default", "primary");
    Delegate active = await(store().registerDelegate(candidate(acc, "active", DelegateStatus.ACTIVE, "default", "primary")));

    // WHEN the active one is rejected THEN nothing happens
    assertTrue(await(store().rejectDelegate(acc, active.id(), event(acc, "delegate.reject", "delegate/a"))).isEmpty());
    assertEquals(Optional.of(active), await(store().findDelegate(acc, active.id())));
    assertTrue(await(store().rejectDelegate(acc, "no-such", event(acc, "delegate.reject", "delegate/x"))).isEmpty());

    // WHEN the pending one is rejected THEN it is removed and its name refused from then on
    Delegate rejected = await(store().rejectDelegate(acc, pending, event(acc, "delegate.reject", "delegate/" + pending)))
        .orElseThrow();
    assertEquals(pending, rejected.id());
    assertTrue(await(store().findDelegate(acc, pending)).isEmpty());
    assertEquals(List.of(active), await(store().listDelegates(acc, null, null)));
    BrokerException e = failure(store().registerDelegate(candidate(acc, "pending", DelegateStatus.ACTIVE, "default", "primary")));
    assertEquals(ErrorCode.DELEGATE_REJECTED, e.code());
    assertEquals(1, actions(acc).stream().filter("delegate.reject"::equals).count());

    // AND a second reject finds nothing; the same name in another account is not affected
    assertTrue(await(store().rejectDelegate(acc, pending, event(acc, "delegate.reject", "delegate/" + pending))).isEmpty());
    String other = newAccount();
    assertNotEquals(pending, pendingDelegate(other, "pending", "default", "primary"));
  }

  /** Verifies that a delegate in any state can be deleted, and that its name then registers anew with a new id. */
  @Test
  void deleteDelegateAnyStateThenRegistersAnew() {
    for (DelegateStatus status : List.of(DelegateStatus.PENDING_APPROVAL, DelegateStatus.ACTIVE)) {
      // GIVEN a delegate in that state
      String acc = newAccount();
      Delegate d = await(store().registerDelegate(candidate(acc, "gone", status, "default", "primary")));

      // WHEN it is deleted
      Optional<Delegate> deleted = await(store().deleteDelegate(acc, d.id(), event(acc, "delegate.delete", "delegate/" + d.id())));

      // THEN it is gone, a second delete finds nothing, and the name registers anew
      assertEquals(Optional.of(d), deleted);
      assertTrue(await(store().findDelegate(acc, d.id())).isEmpty());
      assertTrue(await(store().deleteDelegate(acc, d.id(), event(acc, "delegate.delete", "delegate/" + d.id()))).isEmpty());
      Delegate again = await(store().registerDelegate(candidate(acc, "gone", DelegateStatus.ACTIVE, "default", "primary")));
      assertNotEquals(d.id(), again.id());
      assertEquals(DelegateStatus.ACTIVE, again.status());
      assertEquals(List.of(again), await(store().listDelegates(acc, null, null)));
      assertEquals(1, actions(acc).stream().filter("delegate.delete"::equals).count());
    }
  }

  // ---------------------------------------------------------------- audit and keys

  /** Verifies that the audit trail of an account is returned newest first, at most the limit, and only its own. */
  @Test
  void listAuditNewestFirstAndLimited() {
    // GIVEN an account with five more events, and another account with one
    String acc = newAccount();
    Instant t = now();
    for (int i = 1; i <= 5; i++) {
      await(store().appendAudit(new AuditEvent(acc, t.plusMillis(i), "key-" + i, "test.event", "thing/" + i)));
    }
    String other = newAccount();
    await(store().appendAudit(new AuditEvent(other, t, "root", "test.event", "thing/other")));

    // WHEN the trail is read with a limit of 3
    List<AuditEvent> three = await(store().listAudit(acc, 3));

    // THEN the three newest events come, newest first, exactly as written
    assertEquals(List.of("thing/5", "thing/4", "thing/3"), three.stream().map(AuditEvent::target).toList());
    assertEquals(new AuditEvent(acc, t.plusMillis(5), "key-5", "test.event", "thing/5"), three.get(0));
    assertEquals(6, await(store().listAudit(acc, 100)).size());
    assertEquals("account.create", await(store().listAudit(acc, 100)).get(5).action());
  }

  /** Verifies that account keys are stored, found by hash, and deleted only within their own account. */
  @Test
  void adminKeysInsertFindDelete() {
    // GIVEN a key of an account
    String acc = newAccount();
    String other = newAccount();
    AdminKey key = new AdminKey(Secrets.newId(), acc, Secrets.hash(Secrets.newValue("ak_")), now());

    // WHEN it is inserted THEN it is found by its hash, and audited
    await(store().insertAdminKey(key, event(acc, "key.create", "key/" + key.id())));
    assertEquals(Optional.of(key), await(store().findAdminKeyByHash(key.hash())));
    assertTrue(await(store().findAdminKeyByHash(Secrets.hash("unknown"))).isEmpty());

    // WHEN another account deletes it THEN nothing happens
    assertFalse(await(store().deleteAdminKey(other, key.id(), event(other, "key.delete", "key/" + key.id()))));
    assertTrue(await(store().findAdminKeyByHash(key.hash())).isPresent());

    // WHEN its account deletes it THEN it is gone, once
    assertTrue(await(store().deleteAdminKey(acc, key.id(), event(acc, "key.delete", "key/" + key.id()))));
    assertTrue(await(store().findAdminKeyByHash(key.hash())).isEmpty());
    assertFalse(await(store().deleteAdminKey(acc, key.id(), event(acc, "key.delete", "key/" + key.id()))));
    assertEquals(List.of("key.delete", "key.create", "account.create"), actions(acc));
    assertEquals(List.of("account.create"), actions(other));
  }

  /** Verifies that the store answers its readiness probe. */
  @Test
  void pingSucceeds() {
    assertSame(null, await(store().ping()));
  }
}
