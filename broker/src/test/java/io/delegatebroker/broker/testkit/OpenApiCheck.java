package io.delegatebroker.broker.testkit;

import io.delegatebroker.api.routes.OpenApiDocument;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/**
 * Holds the admin traffic of the tests to the admin API's OpenAPI document ({@link OpenApiDocument}), with Vert.x's
 * OpenAPI validator, so the document cannot drift from the code. For a call whose path and method the document
 * describes: the answer's status must be documented and its body must match that status's schema; a request the
 * document calls invalid must be refused (4xx). A {@code /v1} call the document does not describe must get 404 (or
 * the 401, 403 or 413 that authentication and the body limit give before routing).
 * Paths outside {@code /v1} (health, metrics, the document itself) are not checked.
 */
public final class OpenApiCheck {

  private static OpenApiCheck shared;

  private final OpenAPIContract contract;
  private final RequestValidator requests;
  private final ResponseValidator responses;

  private OpenApiCheck(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.requests = RequestValidator.create(vertx, contract);
    this.responses = ResponseValidator.create(vertx, contract);
  }

  /** The check of this JVM: the document is parsed once, on a small Vert.x instance of its own. */
  public static synchronized OpenApiCheck shared() {
    if (shared == null) {
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
      shared = new OpenApiCheck(vertx, Await.result(OpenAPIContract.from(vertx, document())));
    }
    return shared;
  }

  /** The document as JSON, parsed from the class-path resource the node serves. */
  public static JsonObject document() {
    Map<String, Object> tree = new Yaml().load(OpenApiDocument.load().toString());
    return new JsonObject(tree);
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /**
   * Checks one exchange; throws {@link AssertionError} naming the mismatch.
   *
   * @param uri path and query as sent
   * @param body the request body as sent, or null
   * @param responseContentType the answer's {@code Content-Type} header, or null
   */
  public void check(HttpMethod method, String uri, Buffer body, int status, String responseContentType,
      String responseBody) {
    QueryStringDecoder decoder = new QueryStringDecoder(uri);
    String path = decoder.rawPath();
    String what = method + " " + uri + " -> " + status;
    if (!path.startsWith("/v1/") && !path.equals("/v1")) {
      return;
    }
    Operation operation = contract.findOperation(path, method);
    if (operation == null) {
      Path known = contract.findPath(path);
      // key and body limit are checked before routing, so an undescribed call may also be refused for those
      if (!Set.of(401, 403, 404, 413).contains(status)) {
        throw new AssertionError("OpenAPI: " + what + " answered, but the document has no "
            + (known == null ? "such path" : method + " for " + known.getName()) + " (expected 404)");
      }
      return;
    }
    String requestProblem = requestProblem(operation, decoder, body);
    if (requestProblem != null && (status < 400 || status >= 500)) {
      throw new AssertionError("OpenAPI: " + what + " was accepted, but the document calls the request invalid: "
          + requestProblem);
    }
    String responseProblem = responseProblem(operation, status, responseContentType, responseBody);
    if (responseProblem != null) {
      throw new AssertionError("OpenAPI: the answer to " + what + " does not match the document (operation "
          + operation.getOperationId() + "): " + responseProblem + "; body: " + abbreviate(responseBody));
    }
  }

  /** Null when the document accepts the request, else why not. */
  private String requestProblem(Operation operation, QueryStringDecoder decoder, Buffer body) {
    Map<String, RequestParameter> pathParams = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    String[] template = operation.getAbsoluteOpenAPIPath().substring(1).split("/");
    String[] actual = decoder.rawPath().substring(1).split("/", -1);
    for (int i = 0; i < template.length && i < actual.length; i++) {
      if (template[i].startsWith("{")) {
        String value = QueryStringDecoder.decodeComponent(actual[i]);
        pathParams.put(template[i].substring(1, template[i].length() - 1), () -> value);
      }
    }
    for (Parameter p : operation.getParameters()) {
      List<String> values = decoder.parameters().get(p.getName());
      if (values != null && !values.isEmpty()) {
        String value = values.get(0);
        query.put(p.getName(), () -> value);
      }
    }
    // The broker reads every body as JSON whatever its Content-Type says, so the check does too.
    RequestParameter bodyParam = () -> body == null || body.length() == 0 ? null : body;
    ValidatableRequest request = new Request(Map.of(), Map.of(), pathParams, query, bodyParam,
        body == null ? null : "application/json");
    try {
      Await.result(requests.validate(request, operation.getOperationId()));
      return null;
    } catch (RuntimeException e) {
      return describe(e);
    }
  }

  /** Null when the document describes this answer, else how it differs. */
  private String responseProblem(Operation operation, int status, String contentType, String body) {
    io.vertx.openapi.contract.Response documented = operation.getResponse(status);
    if (documented == null) {
      return "status " + status + " is not documented";
    }
    if (documented.getContent().isEmpty()) {
      return body == null || body.isEmpty() ? null : "the document says no body, the answer has one";
    }
    String mediaType = contentType == null ? null : contentType.split(";")[0].trim();
    ValidatableResponse response = ValidatableResponse.create(status, Map.of(),
        body == null ? null : Buffer.buffer(body), mediaType);
    try {
      Await.result(responses.validate(response, operation.getOperationId()));
      return null;
    } catch (RuntimeException e) {
      return describe(e);
    }
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (!(cause instanceof io.vertx.openapi.validation.ValidatorException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String text = cause.getMessage();
    if (cause instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      text += " " + s.getOutputUnit().toJson().encode();
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s == null ? "(none)" : s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  /** A request as the client sent it, in the form the validator reads. */
  private record Request(Map<String, RequestParameter> getCookies, Map<String, RequestParameter> getHeaders,
      Map<String, RequestParameter> getPathParameters, Map<String, RequestParameter> getQuery,
      RequestParameter getBody, String getContentType) implements ValidatableRequest {
  }
}
