package io.delegatebroker.api.console;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The operator console: static files from the jar's {@code console/} folder, served at {@code /console/} on the admin
 * port, with {@code /} redirecting there. The console is a browser client of the public admin API only; these routes
 * add no API of their own. Unknown files fall through to the listener's 404 JSON, like any unknown path.
 */
public final class ConsoleRoutes {

  /** Where the console is served. */
  public static final String PATH = "/console/";

  /**
   * Scripts, styles, images and API calls from this origin only; no inline script or style, no {@code eval}, no
   * framing, no plugins, forms post nowhere else.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private ConsoleRoutes() {
  }

  /** Mounts the console and the {@code /} redirect on the admin router. Mount before the fallbacks. */
  public static void mount(Router router) {
    router.get("/").handler(ctx -> redirect(ctx, PATH));
    router.route(PATH + "*").handler(ConsoleRoutes::withoutSlash).handler(ConsoleRoutes::securityHeaders)
        .handler(StaticHandler.create("console").setCachingEnabled(false).setDirectoryListing(false)
            .setIncludeHidden(false).setDefaultContentEncoding("UTF-8"));
  }

  /** {@code /console} (which the route also matches) to {@code /console/}, so the page's relative URLs resolve. */
  private static void withoutSlash(RoutingContext ctx) {
    if (ctx.request().path().equals("/console")) {
      redirect(ctx, PATH);
    } else {
      ctx.next();
    }
  }

  private static void securityHeaders(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    boolean page = path.endsWith("/") || path.endsWith(".html");
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        // The page is never stored (it decides which scripts run); the other files are revalidated on every load,
        // so a node upgrade never mixes old and new files.
        .putHeader("Cache-Control", page ? "no-store" : "no-cache");
    ctx.next();
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(302).putHeader("Location", location).end();
  }
}
