package io.delegatebroker.broker.store.pg;

import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.broker.domain.Account;
import io.delegatebroker.broker.domain.AdminKey;
import io.delegatebroker.broker.domain.AuditEvent;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateState;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The PostgreSQL store of record, through the reactive Vert.x PG client. Audited changes run in one transaction with
 * their event.
 */
public final class PgStore implements BrokerStore {

  private static final String TOKEN_COLUMNS =
      "id, account_id, name, project, hash, status, created_at, expires_at, revoked_at, last_used_at";
  private static final String DELEGATE_COLUMNS =
      "id, account_id, name, type, profile, project, status, token_name, created_at";
  /**
   * Registers a delegate in one statement: inserts it unless its name is rejected and returns the new row, or the
   * existing one on a conflict; nothing when rejected or when a concurrent insert is not in this statement's snapshot.
   */
  private static final String REGISTER_DELEGATE = "WITH ins AS (INSERT INTO delegates (" + DELEGATE_COLUMNS + ") "
      + "SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::timestamptz "
      + "WHERE NOT EXISTS "
      + "(SELECT 1 FROM rejected_delegates WHERE account_id = $2 AND name = $3) "
      + "ON CONFLICT (account_id, name) DO NOTHING RETURNING " + DELEGATE_COLUMNS + ") "
      + "SELECT " + DELEGATE_COLUMNS + " FROM ins UNION ALL SELECT " + DELEGATE_COLUMNS + " FROM delegates "
      + "WHERE account_id = $2 AND name = $3 "
      + "AND NOT EXISTS (SELECT 1 FROM rejected_delegates WHERE account_id = $2 AND name = $3)";

  private final Pool pool;
  private final long deadlineMillis;

  public PgStore(Pool pool) {
    this(pool, BrokerLimits.DEFAULT_STORE_CALL_DEADLINE);
  }

  /**
   * @param deadline how long one store call may take before it fails as {@code unavailable}. A database that stops
   *     answering (a frozen host, a network that drops packets) leaves queries waiting on open connections forever;
   *     without a deadline every handshake that needs the store, every admin call and the readiness probe would hang
   *     with them. A write answered 503 this way may still be applied if the database answers later.
   */
  public PgStore(Pool pool, Duration deadline) {
    this.pool = pool;
    this.deadlineMillis = deadline.toMillis();
  }

  private <T> Future<T> guard(Future<T> f) {
    return f.timeout(deadlineMillis, TimeUnit.MILLISECONDS).recover(t -> Future.failedFuture(translate(t)));
  }

  /**
   * Unique violations become 409; data exceptions (SQL state 22: a request value the database cannot take) 400;
   * connection errors (SQL states 08, 57: the server shut down or killed the session)
   * and anything that is not an answer from PostgreSQL (refused connects, closed connections, the call deadline)
   * mean it cannot be reached: 503.
   */
  static Throwable translate(Throwable t) {
    if (t instanceof BrokerException) {
      return t;
    }
    if (t instanceof PgException pg) {
      if ("23505".equals(pg.getSqlState())) {
        return new NameTaken("An object with that name exists.");
      }
      if (pg.getSqlState() != null && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57"))) {
        return new BrokerException(ErrorCode.UNAVAILABLE, "The store cannot be reached right now.");
      }
      if (pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
        // A data exception: a value from the request the database cannot take (validation should have caught it).
        return BrokerException.badRequest("A value in the request cannot be stored.");
      }
      return t;
    }
    return new BrokerException(ErrorCode.UNAVAILABLE, "The store cannot be reached right now.");
  }

  private <T> Future<T> tx(Function<SqlClient, Future<T>> body) {
    return guard(pool.withTransaction(body::apply));
  }

  private static Future<Void> audit(SqlClient c, AuditEvent e) {
    return c.preparedQuery("INSERT INTO audit_events (account_id, at, actor, action, target) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(e.accountId(), odt(e.at()), e.actor(), e.action(), e.target())).mapEmpty();
  }

  static OffsetDateTime odt(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  static Instant instant(Row r, String column) {
    OffsetDateTime v = r.getOffsetDateTime(column);
    return v == null ? null : v.toInstant();
  }

  /** A status as the database keeps it (its contract word), or null. */
  private static String word(Enum<?> status) {
    return status == null ? null : status.name();
  }

  private static Account account(Row r) {
    return new Account(r.getString("id"), r.getString("name"), instant(r, "created_at"));
  }

  private static TokenRecord token(Row r) {
    return new TokenRecord(r.getString("id"), r.getString("account_id"), r.getString("name"), r.getString("project"),
        r.getString("hash"), TokenStatus.valueOf(r.getString("status")), instant(r, "created_at"),
        instant(r, "expires_at"), instant(r, "revoked_at"), instant(r, "last_used_at"));
  }

  private static Profile profile(Row r) {
    return new Profile(r.getString("account_id"), r.getString("name"), r.getBoolean("approval_required"),
        r.getString("startup_script"), instant(r, "created_at"));
  }

  private static Delegate delegate(Row r) {
    return new Delegate(r.getString("id"), r.getString("account_id"), r.getString("name"), r.getString("type"),
        r.getString("profile"), r.getString("project"), DelegateStatus.valueOf(r.getString("status")),
        r.getString("token_name"), instant(r, "created_at"));
  }

  private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapper) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(mapper.apply(r)));
    return out;
  }

  private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapper) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(mapper.apply(it.next())) : Optional.empty();
  }

  private Future<RowSet<Row>> query(String sql, Tuple args) {
    return guard(pool.preparedQuery(sql).execute(args));
  }

  /** An audited change of at most one row: the row the statement returns, audited only when there was one. */
  private <T> Future<Optional<T>> changeOne(String sql, Tuple args, Function<Row, T> mapper, AuditEvent event) {
    return tx(c -> c.preparedQuery(sql).execute(args).compose(rows -> {
      Optional<T> changed = first(rows, mapper);
      return changed.isEmpty() ? Future.succeededFuture(changed) : audit(c, event).map(changed);
    }));
  }

  /** An audited delete: true, with its audit event, when a row was deleted; false and no event when none was. */
  private Future<Boolean> deleteAudited(String sql, Tuple args, AuditEvent event) {
    return tx(c -> c.preparedQuery(sql).execute(args)
        .compose(r -> r.rowCount() == 0 ? Future.succeededFuture(false) : audit(c, event).map(true)));
  }

  private static Future<Void> insertToken(SqlClient c, TokenRecord t) {
    return c.preparedQuery("INSERT INTO tokens (" + TOKEN_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .execute(Tuple.from(new Object[] {t.id(), t.accountId(), t.name(), t.project(), t.hash(), t.status().name(),
            odt(t.createdAt()), odt(t.expiresAt()), odt(t.revokedAt()), odt(t.lastUsedAt())}))
        .mapEmpty();
  }

  private static Future<Void> insertProfile(SqlClient c, Profile p) {
    return c.preparedQuery("INSERT INTO profiles (account_id, name, approval_required, startup_script, created_at) "
            + "VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(p.accountId(), p.name(), p.approvalRequired(), p.startupScript(), odt(p.createdAt())))
        .mapEmpty();
  }

  @Override
  public Future<Void> createAccount(Account account, TokenRecord defaultToken, Profile primary, AuditEvent event) {
    return tx(c -> c.preparedQuery("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(account.id(), account.name(), odt(account.createdAt())))
        .compose(r -> insertToken(c, defaultToken))
        .compose(r -> insertProfile(c, primary))
        .compose(r -> audit(c, event)));
  }

  @Override
  public Future<List<Account>> listAccounts() {
    return query("SELECT id, name, created_at FROM accounts ORDER BY created_at, id", Tuple.tuple())
        .map(rows -> all(rows, PgStore::account));
  }

  @Override
  public Future<Optional<Account>> findAccount(String accountId) {
    return query("SELECT id, name, created_at FROM accounts WHERE id = $1", Tuple.of(accountId))
        .map(rows -> first(rows, PgStore::account));
  }

  @Override
  public Future<Void> insertAdminKey(AdminKey key, AuditEvent event) {
    return tx(c -> c.preparedQuery("INSERT INTO admin_keys (id, account_id, hash, created_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(key.id(), key.accountId(), key.hash(), odt(key.createdAt())))
        .compose(r -> audit(c, event)));
  }

  @Override
  public Future<Boolean> deleteAdminKey(String accountId, String keyId, AuditEvent event) {
    return deleteAudited("DELETE FROM admin_keys WHERE id = $1 AND account_id = $2", Tuple.of(keyId, accountId), event);
  }

  @Override
  public Future<Optional<AdminKey>> findAdminKeyByHash(String hash) {
    return query("SELECT id, account_id, hash, created_at FROM admin_keys WHERE hash = $1", Tuple.of(hash))
        .map(rows -> first(rows, r -> new AdminKey(r.getString("id"), r.getString("account_id"), r.getString("hash"),
            instant(r, "created_at"))));
  }

  @Override
  public Future<Void> insertToken(TokenRecord token, AuditEvent event) {
    return tx(c -> insertToken(c, token).compose(r -> audit(c, event)));
  }

  @Override
  public Future<List<TokenRecord>> listTokens(String accountId, TokenStatus status, String project) {
    return query("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE account_id = $1 AND ($2::text IS NULL OR status = $2)"
        + " AND ($3::text IS NULL OR project = $3) ORDER BY created_at, name", Tuple.of(accountId, word(status), project))
        .map(rows -> all(rows, PgStore::token));
  }

  @Override
  public Future<Optional<TokenRecord>> findToken(String accountId, String name) {
    return query("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE account_id = $1 AND name = $2", Tuple.of(accountId, name))
        .map(rows -> first(rows, PgStore::token));
  }

  @Override
  public Future<Optional<TokenRecord>> findTokenByHash(String hash) {
    return query("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE hash = $1", Tuple.of(hash))
        .map(rows -> first(rows, PgStore::token));
  }

  @Override
  public Future<Optional<Revocation>> revokeToken(String accountId, String name, AuditEvent event) {
    // The database's clock, at the precision the store keeps: no node's clock decides when a token was revoked.
    return tx(c -> c.preparedQuery("UPDATE tokens SET status = 'REVOKED', revoked_at = date_trunc('milliseconds', now()) "
            + "WHERE account_id = $1 AND name = $2 AND status <> 'REVOKED' RETURNING " + TOKEN_COLUMNS)
        .execute(Tuple.of(accountId, name))
        .compose(rows -> {
          Optional<TokenRecord> changed = first(rows, PgStore::token);
          if (changed.isPresent()) {
            return audit(c, event).map(v -> Optional.of(new Revocation(changed.get(), true)));
          }
          return c.preparedQuery("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE account_id = $1 AND name = $2")
              .execute(Tuple.of(accountId, name))
              .map(existing -> first(existing, PgStore::token).map(t -> new Revocation(t, false)));
        }));
  }

  @Override
  public Future<List<TokenState>> tokenStates(List<String> tokenIds) {
    if (tokenIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return query("SELECT id, hash, status = 'REVOKED' AS revoked, COALESCE(expires_at <= now(), false) AS expired"
        + " FROM tokens WHERE id = ANY($1::text[])", Tuple.of(tokenIds.toArray(String[]::new)))
        .map(rows -> all(rows, r -> new TokenState(r.getString("id"), r.getString("hash"), r.getBoolean("revoked"),
            r.getBoolean("expired"))));
  }

  @Override
  public Future<Void> touchTokens(Map<String, Instant> lastUsed) {
    if (lastUsed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(lastUsed.size());
    lastUsed.forEach((id, at) -> batch.add(Tuple.of(id, odt(at))));
    return guard(pool.preparedQuery("UPDATE tokens SET last_used_at = GREATEST(COALESCE(last_used_at, $2), $2) WHERE id = $1")
        .executeBatch(batch)).mapEmpty();
  }

  @Override
  public Future<Void> insertProfile(Profile profile, AuditEvent event) {
    return tx(c -> insertProfile(c, profile).compose(r -> audit(c, event)));
  }

  @Override
  public Future<List<Profile>> listProfiles(String accountId) {
    return query("SELECT * FROM profiles WHERE account_id = $1 ORDER BY created_at, name", Tuple.of(accountId))
        .map(rows -> all(rows, PgStore::profile));
  }

  @Override
  public Future<Optional<Profile>> findProfile(String accountId, String name) {
    return query("SELECT * FROM profiles WHERE account_id = $1 AND name = $2", Tuple.of(accountId, name))
        .map(rows -> first(rows, PgStore::profile));
  }

  @Override
  public Future<Optional<Profile>> updateProfile(Profile p, AuditEvent event) {
    return changeOne("UPDATE profiles SET approval_required = $3, startup_script = $4 "
        + "WHERE account_id = $1 AND name = $2 RETURNING *",
        Tuple.of(p.accountId(), p.name(), p.approvalRequired(), p.startupScript()), PgStore::profile, event);
  }

  @Override
  public Future<Boolean> deleteProfile(String accountId, String name, AuditEvent event) {
    return deleteAudited("DELETE FROM profiles WHERE account_id = $1 AND name = $2", Tuple.of(accountId, name), event);
  }

  @Override
  public Future<Delegate> registerDelegate(Delegate d) {
    // One round trip instead of a five-step transaction: a connect that registers a new name waits for it. The
    // statement inserts unless the name is rejected and returns the new row, or the existing one on a conflict. It
    // returns nothing when the name is rejected, or when another node inserted the same name concurrently (its row is
    // not in this statement's snapshot); both are rare and go through the transaction, which tells them apart.
    return query(REGISTER_DELEGATE, Tuple.from(new Object[] {d.id(), d.accountId(), d.name(), d.type(), d.profile(),
            d.project(), d.status(), d.tokenName(), odt(d.createdAt())}))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(first(rows, PgStore::delegate).orElseThrow())
            : registerDelegateInTransaction(d));
  }

  private Future<Delegate> registerDelegateInTransaction(Delegate d) {
    return tx(c -> c.preparedQuery("SELECT 1 FROM rejected_delegates WHERE account_id = $1 AND name = $2")
        .execute(Tuple.of(d.accountId(), d.name()))
        .compose(rejected -> {
          if (rejected.size() > 0) {
            return Future.failedFuture(new NameRejected());
          }
          return c.preparedQuery("INSERT INTO delegates (" + DELEGATE_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                  + "ON CONFLICT (account_id, name) DO NOTHING")
              .execute(Tuple.from(new Object[] {d.id(), d.accountId(), d.name(), d.type(), d.profile(), d.project(),
                  d.status().name(), d.tokenName(), odt(d.createdAt())}))
              .compose(r -> c.preparedQuery("SELECT " + DELEGATE_COLUMNS + " FROM delegates WHERE account_id = $1 AND name = $2")
                  .execute(Tuple.of(d.accountId(), d.name())))
              .map(rows -> first(rows, PgStore::delegate).orElseThrow());
        }));
  }

  @Override
  public Future<Optional<Delegate>> findDelegate(String accountId, String delegateId) {
    return query("SELECT " + DELEGATE_COLUMNS + " FROM delegates WHERE account_id = $1 AND id = $2",
        Tuple.of(accountId, delegateId)).map(rows -> first(rows, PgStore::delegate));
  }

  @Override
  public Future<List<Delegate>> listDelegates(String accountId, DelegateStatus status, String project) {
    return query("SELECT " + DELEGATE_COLUMNS + " FROM delegates WHERE account_id = $1 AND ($2::text IS NULL OR status = $2)"
        + " AND ($3::text IS NULL OR project = $3) ORDER BY created_at, name", Tuple.of(accountId, word(status), project))
        .map(rows -> all(rows, PgStore::delegate));
  }

  @Override
  public Future<Optional<Delegate>> approveDelegate(String accountId, String delegateId, AuditEvent event) {
    return changeOne("UPDATE delegates SET status = 'ACTIVE' WHERE account_id = $1 AND id = $2 "
        + "AND status = 'PENDING_APPROVAL' RETURNING " + DELEGATE_COLUMNS,
        Tuple.of(accountId, delegateId), PgStore::delegate, event);
  }

  @Override
  public Future<List<Delegate>> approveDelegates(String accountId, String tokenName, String profileName, AuditEvent event) {
    return tx(c -> c.preparedQuery("UPDATE delegates SET status = 'ACTIVE' WHERE account_id = $1 AND status = 'PENDING_APPROVAL'"
            + " AND ($2::text IS NULL OR token_name = $2) AND ($3::text IS NULL OR profile = $3) RETURNING " + DELEGATE_COLUMNS)
        .execute(Tuple.of(accountId, tokenName, profileName))
        .compose(rows -> audit(c, event).map(all(rows, PgStore::delegate))));
  }

  @Override
  public Future<Optional<Delegate>> rejectDelegate(String accountId, String delegateId, AuditEvent event) {
    return tx(c -> c.preparedQuery("DELETE FROM delegates WHERE account_id = $1 AND id = $2 AND status = 'PENDING_APPROVAL' "
            + "RETURNING " + DELEGATE_COLUMNS)
        .execute(Tuple.of(accountId, delegateId))
        .compose(rows -> {
          Optional<Delegate> d = first(rows, PgStore::delegate);
          if (d.isEmpty()) {
            return Future.succeededFuture(d);
          }
          return c.preparedQuery("INSERT INTO rejected_delegates (account_id, name, rejected_at) VALUES ($1, $2, $3) "
                  + "ON CONFLICT DO NOTHING")
              .execute(Tuple.of(accountId, d.get().name(), odt(event.at())))
              .compose(r -> audit(c, event)).map(d);
        }));
  }

  @Override
  public Future<Optional<Delegate>> deleteDelegate(String accountId, String delegateId, AuditEvent event) {
    return changeOne("DELETE FROM delegates WHERE account_id = $1 AND id = $2 RETURNING " + DELEGATE_COLUMNS,
        Tuple.of(accountId, delegateId), PgStore::delegate, event);
  }

  @Override
  public Future<Map<String, DelegateState>> delegateStates(List<DelegateRef> refs) {
    if (refs.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] ids = refs.stream().map(DelegateRef::id).toArray(String[]::new);
    String[] accounts = refs.stream().map(DelegateRef::accountId).toArray(String[]::new);
    String[] names = refs.stream().map(DelegateRef::name).toArray(String[]::new);
    return query("SELECT r.id, COALESCE(d.status, CASE WHEN rj.name IS NOT NULL THEN 'REJECTED' ELSE 'DELETED' END) AS state"
        + " FROM unnest($1::text[], $2::text[], $3::text[]) AS r(id, account_id, name)"
        + " LEFT JOIN delegates d ON d.id = r.id"
        + " LEFT JOIN rejected_delegates rj ON rj.account_id = r.account_id AND rj.name = r.name",
        Tuple.of(ids, accounts, names))
        .map(rows -> {
          Map<String, DelegateState> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("id"), DelegateState.valueOf(r.getString("state"))));
          return out;
        });
  }

  @Override
  public Future<Void> appendAudit(AuditEvent event) {
    return guard(audit(pool, event));
  }

  @Override
  public Future<List<AuditEvent>> listAudit(String accountId, int limit) {
    return query("SELECT account_id, at, actor, action, target FROM audit_events WHERE account_id = $1 "
        + "ORDER BY seq DESC LIMIT $2", Tuple.of(accountId, limit))
        .map(rows -> all(rows, r -> new AuditEvent(r.getString("account_id"), instant(r, "at"), r.getString("actor"),
            r.getString("action"), r.getString("target"))));
  }

  @Override
  public Future<Void> ping() {
    return guard(pool.query("SELECT 1").execute()).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }
}
