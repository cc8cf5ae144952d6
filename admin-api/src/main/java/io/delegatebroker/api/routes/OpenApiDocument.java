package io.delegatebroker.api.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The admin API's OpenAPI 3.1 description, a resource of this module, served as is at {@code GET /openapi.yaml}
 * without a key (contract section 1). The broker's tests validate their admin traffic against the same resource.
 */
public final class OpenApiDocument {

  /** Class-path location of the document. */
  public static final String RESOURCE = "io/delegatebroker/api/openapi.yaml";
  /** Where the admin listener serves it. */
  public static final String PATH = "/openapi.yaml";

  private OpenApiDocument() {
  }

  /** The document's bytes, read from the class path. */
  public static Buffer load() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves the document at {@link #PATH}; read once, when mounted. */
  public static void mount(Router router) {
    Buffer document = load();
    router.get(PATH).handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(document));
  }
}
