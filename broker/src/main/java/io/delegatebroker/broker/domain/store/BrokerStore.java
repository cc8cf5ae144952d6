package io.delegatebroker.broker.domain.store;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.broker.domain.Account;
import io.delegatebroker.broker.domain.AdminKey;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.TokenRecord;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store of record. Every change that is audited is written together with its audit event, atomically.
 * Failures: {@link NameTaken} when a unique name is taken, {@link NameRejected} when a delegate's name was rejected,
 * {@code unavailable} when the store cannot be reached.
 * Implementations: PostgreSQL (production) and memory ({@code BROKER_DEV=true} only); one contract test suite
 * runs against both.
 */
public interface BrokerStore {

  /** Creates the account with its {@code default} token and {@code primary} profile in one step. */
  Future<Void> createAccount(Account account, TokenRecord defaultToken, Profile primary, AuditEvent event);

  Future<List<Account>> listAccounts();

  Future<Optional<Account>> findAccount(String accountId);

  Future<Void> insertAdminKey(AdminKey key, AuditEvent event);

  /** @return false when no such key exists in the account */
  Future<Boolean> deleteAdminKey(String accountId, String keyId, AuditEvent event);

  Future<Optional<AdminKey>> findAdminKeyByHash(String hash);

  Future<Void> insertToken(TokenRecord token, AuditEvent event);

  Future<List<TokenRecord>> listTokens(String accountId, TokenStatus status, String project);

  Future<Optional<TokenRecord>> findToken(String accountId, String name);

  Future<Optional<TokenRecord>> findTokenByHash(String hash);

  /**
   * Marks the token revoked unless it already is, with {@code revokedAt} from the store's own clock (never a node's).
   * The audit event is written only when this call revoked it.
   *
   * @return the token after the call, and whether this call revoked it; empty when there is no such token
   */
  Future<Optional<Revocation>> revokeToken(String accountId, String name, AuditEvent event);

  /**
   * The state of these tokens now, expiry judged by the store's own clock: the query of the token safety net, which
   * asks it for every token a node holds sessions of. Ids the store does not know are left out.
   */
  Future<List<TokenState>> tokenStates(List<String> tokenIds);

  /** Records last use of tokens in one batch: token id to time. */
  Future<Void> touchTokens(Map<String, Instant> lastUsed);

  Future<Void> insertProfile(Profile profile, AuditEvent event);

  Future<List<Profile>> listProfiles(String accountId);

  Future<Optional<Profile>> findProfile(String accountId, String name);

  /** @return the updated profile, empty when none */
  Future<Optional<Profile>> updateProfile(Profile profile, AuditEvent event);

  /** @return false when none existed */
  Future<Boolean> deleteProfile(String accountId, String name, AuditEvent event);

  /**
   * Returns the delegate of that name, registering {@code candidate} when there is none. Fails with
   * {@code delegate_rejected} when the name was rejected in the account.
   */
  Future<Delegate> registerDelegate(Delegate candidate);

  Future<Optional<Delegate>> findDelegate(String accountId, String delegateId);

  Future<List<Delegate>> listDelegates(String accountId, DelegateStatus status, String project);

  /** Moves a pending delegate to ACTIVE. @return the delegate, empty if it was not pending (or does not exist) */
  Future<Optional<Delegate>> approveDelegate(String accountId, String delegateId, AuditEvent event);

  /** Approves every pending delegate of the token (or profile). @return the approved delegates */
  Future<List<Delegate>> approveDelegates(String accountId, String tokenName, String profileName, AuditEvent event);

  /** Removes a pending delegate and keeps its name as rejected. @return the delegate, empty if it was not pending */
  Future<Optional<Delegate>> rejectDelegate(String accountId, String delegateId, AuditEvent event);

  /** Removes a delegate in any state. @return the delegate, empty if none */
  Future<Optional<Delegate>> deleteDelegate(String accountId, String delegateId, AuditEvent event);

  /**
   * The current state of delegates that have live sessions, for nodes reconciling what they may have missed. One
   * entry per reference.
   */
  Future<Map<String, DelegateState>> delegateStates(List<DelegateRef> delegates);

  Future<Void> appendAudit(AuditEvent event);

  /** Audit events of the account, newest first, at most {@code limit}. */
  Future<List<AuditEvent>> listAudit(String accountId, int limit);

  /** Succeeds when the store answers; the readiness probe. */
  Future<Void> ping();

  Future<Void> close();

  /** A delegate as a live session knows it. */
  record DelegateRef(String id, String accountId, String name) {
  }

  /** What {@link #delegateStates} reports of a delegate: its status, or why it no longer exists. */
  enum DelegateState {
    ACTIVE,
    PENDING_APPROVAL,
    /** Gone, and its name refused. */
    REJECTED,
    /** Gone. */
    DELETED;

    public static DelegateState of(DelegateStatus status) {
      return status == DelegateStatus.ACTIVE ? ACTIVE : PENDING_APPROVAL;
    }
  }

  /** A token as {@link #tokenStates} reports it: whether it is revoked, or past its expiry by the store's clock. */
  record TokenState(String id, String hash, boolean revoked, boolean expired) {
  }

  /** The outcome of {@link #revokeToken}. */
  record Revocation(TokenRecord token, boolean changed) {
  }

  /** A write refused because a unique name (or value) is taken; nothing was changed. Answered 409 as it is. */
  final class NameTaken extends BrokerException {
    private static final long serialVersionUID = 1L;

    public NameTaken(String message) {
      super(ErrorCode.CONFLICT, message);
    }
  }

  /** {@link #registerDelegate} refused: the name was rejected in the account. */
  final class NameRejected extends BrokerException {
    private static final long serialVersionUID = 1L;

    public NameRejected() {
      super(ErrorCode.DELEGATE_REJECTED, "This delegate was rejected.");
    }
  }
}
