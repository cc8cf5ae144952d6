package io.delegatebroker.api.routes;

import io.delegatebroker.api.auth.Caller;
import io.delegatebroker.api.auth.KeyAuthenticator;
import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.ops.AccountOperations;
import io.delegatebroker.api.ops.ClusterOperations;
import io.delegatebroker.api.ops.DelegateOperations;
import io.delegatebroker.api.ops.ProfileOperations;
import io.delegatebroker.api.ops.TokenOperations;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.api.vocabulary.TokenStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The {@code /v1} admin routes of the contract (section 3): authentication, account scoping, request
 * validation and the mapping of results and failures to HTTP. It knows nothing of how operations are
 * carried out; the broker node supplies the operations.
 */
public final class AdminRouter {

  /** Largest accepted request body; larger ones get 413 {@code too_large}. */
  public static final long MAX_BODY_BYTES = 64 * 1024;

  private static final String CALLER = "caller";

  private final KeyAuthenticator authenticator;
  private final AccountOperations accounts;
  private final TokenOperations tokens;
  private final ProfileOperations profiles;
  private final DelegateOperations delegates;
  private final ClusterOperations cluster;

  public AdminRouter(KeyAuthenticator authenticator, AccountOperations accounts, TokenOperations tokens,
      ProfileOperations profiles, DelegateOperations delegates, ClusterOperations cluster) {
    this.authenticator = authenticator;
    this.accounts = accounts;
    this.tokens = tokens;
    this.profiles = profiles;
    this.delegates = delegates;
    this.cluster = cluster;
  }

  /** Mounts the {@code /v1} routes, and {@code GET /openapi.yaml} (no key), on the given router. */
  public void mount(Vertx vertx, Router router) {
    OpenApiDocument.mount(router);
    // The key is checked from the headers before a byte of the body is read: an unauthenticated caller costs no buffer.
    router.route("/v1/*").handler(this::authenticate);
    router.route("/v1/*").handler(new JsonBodyReader(MAX_BODY_BYTES));
    router.route("/v1/accounts/:acc/*").handler(this::scopeToAccount);
    router.route("/v1/accounts/:acc").handler(this::scopeToAccount);

    post(router, "/v1/accounts", 201, ctx -> {
      caller(ctx).checkRoot();
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("name"));
      String name = Validation.optionalString(body, "name", 256);
      if (name == null || name.isBlank()) {
        throw BrokerException.badRequest("Field 'name' is required and must be a non-empty string.");
      }
      return accounts.createAccount(caller(ctx), name);
    });
    get(router, "/v1/accounts", ctx -> {
      caller(ctx).checkRoot();
      return accounts.listAccounts().map(AdminRouter::items);
    });
    get(router, "/v1/accounts/:acc", ctx -> accounts.getAccount(acc(ctx)));
    post(router, "/v1/accounts/:acc/keys", 201, ctx -> {
      Validation.body(ctx, true);
      return accounts.createKey(caller(ctx), acc(ctx));
    });
    delete(router, "/v1/accounts/:acc/keys/:id", ctx -> accounts.deleteKey(caller(ctx), acc(ctx), ctx.pathParam("id")));
    get(router, "/v1/accounts/:acc/audit", ctx -> accounts.audit(acc(ctx)).map(AdminRouter::items));

    post(router, "/v1/accounts/:acc/tokens", 201, ctx -> {
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("name", "project", "expiresAt"));
      return tokens.createToken(caller(ctx), acc(ctx), Validation.requiredName(body, "name"),
          Validation.optionalName(body, "project"), Validation.optionalInstant(body, "expiresAt"));
    });
    get(router, "/v1/accounts/:acc/tokens", ctx -> tokens.listTokens(acc(ctx),
        Validation.statusFilter(ctx.queryParams().get("status"), TokenStatus.class),
        projectFilter(ctx)).map(AdminRouter::items));
    get(router, "/v1/accounts/:acc/tokens/:name", ctx -> tokens.getToken(acc(ctx), pathName(ctx, "name")));
    post(router, "/v1/accounts/:acc/tokens/:name/revoke", 200,
        ctx -> tokens.revokeToken(caller(ctx), acc(ctx), pathName(ctx, "name")));
    get(router, "/v1/accounts/:acc/tokens/:name/connections",
        ctx -> tokens.connections(acc(ctx), pathName(ctx, "name")).map(AdminRouter::items));

    post(router, "/v1/accounts/:acc/profiles", 201, ctx -> {
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("name", "approvalRequired", "startupScript"));
      Boolean approval = Validation.optionalBoolean(body, "approvalRequired");
      return profiles.createProfile(caller(ctx), acc(ctx), Validation.requiredName(body, "name"),
          approval != null && approval, Validation.optionalString(body, "startupScript", 32 * 1024));
    });
    get(router, "/v1/accounts/:acc/profiles", ctx -> profiles.listProfiles(acc(ctx)).map(AdminRouter::items));
    get(router, "/v1/accounts/:acc/profiles/:name", ctx -> profiles.getProfile(acc(ctx), pathName(ctx, "name")));
    put(router, "/v1/accounts/:acc/profiles/:name", ctx -> {
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("name", "approvalRequired", "startupScript"));
      String name = pathName(ctx, "name");
      String bodyName = Validation.optionalName(body, "name");
      if (bodyName != null && !bodyName.equals(name)) {
        throw BrokerException.badRequest("Field 'name' cannot change a profile's name.");
      }
      boolean clearScript = body.containsKey("startupScript") && body.getValue("startupScript") == null;
      return profiles.updateProfile(caller(ctx), acc(ctx), name, Validation.optionalBoolean(body, "approvalRequired"),
          Validation.optionalString(body, "startupScript", 32 * 1024), clearScript);
    });
    delete(router, "/v1/accounts/:acc/profiles/:name",
        ctx -> profiles.deleteProfile(caller(ctx), acc(ctx), pathName(ctx, "name")));

    post(router, "/v1/accounts/:acc/delegates/approve", 200, ctx -> {
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("token", "profile"));
      String token = Validation.optionalName(body, "token");
      String profile = Validation.optionalName(body, "profile");
      if ((token == null) == (profile == null)) {
        throw BrokerException.badRequest("Exactly one of the fields 'token' and 'profile' is required.");
      }
      return delegates.approveAll(caller(ctx), acc(ctx), token, profile);
    });
    get(router, "/v1/accounts/:acc/delegates", ctx -> delegates.listDelegates(acc(ctx),
        Validation.statusFilter(ctx.queryParams().get("status"), DelegateStatus.class),
        projectFilter(ctx)).map(AdminRouter::items));
    get(router, "/v1/accounts/:acc/delegates/:id", ctx -> delegates.getDelegate(acc(ctx), pathName(ctx, "id")));
    post(router, "/v1/accounts/:acc/delegates/:id/approve", 200,
        ctx -> delegates.approve(caller(ctx), acc(ctx), pathName(ctx, "id")));
    post(router, "/v1/accounts/:acc/delegates/:id/reject", 200,
        ctx -> delegates.reject(caller(ctx), acc(ctx), pathName(ctx, "id")));
    delete(router, "/v1/accounts/:acc/delegates/:id",
        ctx -> delegates.delete(caller(ctx), acc(ctx), pathName(ctx, "id")));
    post(router, "/v1/accounts/:acc/delegates/:id/messages", 202, ctx -> {
      JsonObject body = Validation.body(ctx, false);
      Validation.onlyFields(body, Set.of("payload"));
      if (!(body.getValue("payload") instanceof JsonObject payload)) {
        throw BrokerException.badRequest("Field 'payload' is required and must be a JSON object.");
      }
      return delegates.sendMessage(caller(ctx), acc(ctx), pathName(ctx, "id"), payload);
    });

    get(router, "/v1/cluster", ctx -> {
      caller(ctx).checkRoot();
      return cluster.describe();
    });

    router.route("/v1/*").last().handler(ctx -> ErrorResponses.send(ctx.response(),
        BrokerException.notFound("No such resource.")));
    router.route("/v1/*").failureHandler(AdminRouter::failure);
  }

  /** The contract's answer to a failed route: 413, the failure's own code, 404 for unknown methods, 400, or 500. */
  static void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    Throwable failure = ctx.failure();
    if (status == 413) {
      ErrorResponses.send(ctx.response(), new BrokerException(ErrorCode.TOO_LARGE, "The request body is over 64 KiB."));
    } else if (failure instanceof BrokerException) {
      ErrorResponses.send(ctx.response(), failure);
    } else if (status == 404 || status == 405) {
      ErrorResponses.send(ctx.response(), BrokerException.notFound("No such resource."));
    } else if (status >= 400 && status < 500) {
      ErrorResponses.send(ctx.response(), BrokerException.badRequest("The request could not be handled."));
    } else {
      ErrorResponses.send(ctx.response(), failure != null ? failure : new IllegalStateException("failure status " + status));
    }
  }

  /**
   * Answers everything the routes of the listener do not handle with the contract's error body instead of Vert.x
   * Web's HTML pages: unknown paths and methods (404), bodies over the limit (413), any other failure. Mount it last.
   */
  public static void mountFallbacks(Router router) {
    router.route().last().handler(ctx -> ErrorResponses.send(ctx.response(), BrokerException.notFound("No such resource.")));
    router.route().failureHandler(AdminRouter::failure);
  }

  private void authenticate(RoutingContext ctx) {
    // The router holds the body back until a handler reads it; keep it so while the key is looked up.
    ctx.request().pause();
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.startsWith("Bearer ") || header.length() <= 7) {
      ErrorResponses.sendUnread(ctx.request(), new BrokerException(ErrorCode.UNAUTHORIZED, "A valid admin key is required."));
      return;
    }
    authenticator.authenticate(header.substring(7).trim()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(CALLER, ar.result());
        ctx.next();
      } else {
        ErrorResponses.sendUnread(ctx.request(), ar.cause());
      }
    });
  }

  private void scopeToAccount(RoutingContext ctx) {
    try {
      caller(ctx).checkAccount(ctx.pathParam("acc"));
      ctx.next();
    } catch (BrokerException e) {
      ErrorResponses.send(ctx.response(), e);
    }
  }

  private static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** The account id of the path; one that could never have been issued is simply not found. */
  private static String acc(RoutingContext ctx) {
    String id = ctx.pathParam("acc");
    if (id == null || !Validation.NAME.matcher(id).matches()) {
      throw BrokerException.notFound("No such account.");
    }
    return id;
  }

  private static String pathName(RoutingContext ctx, String param) {
    return Validation.name(param, ctx.pathParam(param));
  }

  private static String projectFilter(RoutingContext ctx) {
    String project = ctx.queryParams().get("project");
    return project == null ? null : Validation.name("project", project);
  }

  private static JsonObject items(JsonArray array) {
    return new JsonObject().put("items", array);
  }

  private interface Call {
    Future<?> apply(RoutingContext ctx);
  }

  private static void get(Router router, String path, Call call) {
    router.get(path).handler(ctx -> respond(ctx, 200, call));
  }

  private static void post(Router router, String path, int status, Call call) {
    router.post(path).handler(ctx -> respond(ctx, status, call));
  }

  private static void put(Router router, String path, Call call) {
    router.put(path).handler(ctx -> respond(ctx, 200, call));
  }

  private static void delete(Router router, String path, Call call) {
    router.delete(path).handler(ctx -> respond(ctx, 204, call));
  }

  private static void respond(RoutingContext ctx, int status, Call call) {
    Future<?> result;
    try {
      result = call.apply(ctx);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponses.send(ctx.response(), ar.cause());
        return;
      }
      var response = ctx.response().setStatusCode(status);
      Object value = ar.result();
      if (value == null || status == 204) {
        response.end();
      } else {
        response.putHeader("content-type", "application/json");
        response.end(value instanceof JsonObject o ? o.encode() : String.valueOf(value));
      }
    });
  }

}
