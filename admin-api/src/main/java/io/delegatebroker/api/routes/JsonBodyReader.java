package io.delegatebroker.api.routes;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request's body as plain bytes for {@link Validation#body}, whatever its Content-Type says, failing the
 * request with 413 past the limit (at the declared length, or at the chunk that crosses it). The admin API speaks JSON
 * only, and {@code curl -d} labels a JSON body as a form: Vert.x Web's BodyHandler would then also decode it as one,
 * and fail with a 500 on a {@code %} that is not an escape or on a field over 8 KiB. Must run first on its routes.
 */
public final class JsonBodyReader implements Handler<RoutingContext> {

  /** Where the body is kept in the routing context. */
  static final String BODY = "broker.rawBody";

  private final long limit;

  public JsonBodyReader(long limit) {
    this.limit = limit;
  }

  /** The body read for this request (empty when there was none). */
  public static Buffer body(RoutingContext ctx) {
    Buffer b = ctx.get(BODY);
    return b == null ? Buffer.buffer() : b;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String declared = req.getHeader("content-length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          ctx.fail(413);
          return;
        }
      } catch (NumberFormatException e) {
        ctx.fail(400);
        return;
      }
    }
    if (req.isEnded()) {
      ctx.put(BODY, Buffer.buffer());
      ctx.next();
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] failed = {false};
    req.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        failed[0] = true;
        ctx.fail(413);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.exceptionHandler(t -> {
      if (!failed[0]) {
        failed[0] = true;
        ctx.fail(400, t);
      }
    });
    req.endHandler(v -> {
      if (!failed[0]) {
        ctx.put(BODY, body);
        ctx.next();
      }
    });
    req.resume();
  }
}
