package io.delegatebroker.broker.operating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.routes.OpenApiDocument;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.OpenApiCheck;
import io.delegatebroker.broker.testkit.RawHttp;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies the admin API's OpenAPI 3.1 document: it is served without a key exactly as the resource holds it, it
 * describes every call of the contract (section 3) with its refusals, its examples match its own schemas, and the
 * check that holds the tests' admin traffic to it (every {@link AdminClient} exchange) refuses answers that drifted.
 */
@Timeout(60)
class OpenApiDocumentTest {

  /** Every call of contract section 3, as {@code METHOD path}. */
  static final Set<String> CONTRACT_CALLS = Set.of(
      "POST /v1/accounts", "GET /v1/accounts", "GET /v1/accounts/{acc}",
      "POST /v1/accounts/{acc}/keys", "DELETE /v1/accounts/{acc}/keys/{id}",
      "POST /v1/accounts/{acc}/tokens", "GET /v1/accounts/{acc}/tokens", "GET /v1/accounts/{acc}/tokens/{name}",
      "POST /v1/accounts/{acc}/tokens/{name}/revoke", "GET /v1/accounts/{acc}/tokens/{name}/connections",
      "POST /v1/accounts/{acc}/profiles", "GET /v1/accounts/{acc}/profiles", "GET /v1/accounts/{acc}/profiles/{name}",
      "PUT /v1/accounts/{acc}/profiles/{name}", "DELETE /v1/accounts/{acc}/profiles/{name}",
      "GET /v1/accounts/{acc}/delegates", "GET /v1/accounts/{acc}/delegates/{id}",
      "POST /v1/accounts/{acc}/delegates/{id}/approve", "POST /v1/accounts/{acc}/delegates/{id}/reject",
      "DELETE /v1/accounts/{acc}/delegates/{id}", "POST /v1/accounts/{acc}/delegates/approve",
      "POST /v1/accounts/{acc}/delegates/{id}/messages",
      "GET /v1/cluster", "GET /v1/accounts/{acc}/audit");

  final OpenApiCheck check = OpenApiCheck.shared();
  final OpenAPIContract contract = check.contract();

  /** Verifies that {@code GET /openapi.yaml} answers the resource, byte for byte, without a key. */
  @Test
  void documentIsServedWithoutKeyAsTheResource() throws Exception {
    try (TestNode node = TestNode.memory()) {
      RawHttp.Response r = RawHttp.exchange(node.adminPort(), "GET", OpenApiDocument.PATH, null, null, null);
      assertEquals(200, r.status(), r.toString());
      assertEquals("application/yaml", r.headers().get("content-type"));
      assertEquals(OpenApiDocument.load().toString(), r.body());
      // unknown paths next to it still get the contract's JSON 404
      RawHttp.Response unknown = RawHttp.exchange(node.adminPort(), "GET", "/openapi.json", null, null, null);
      assertEquals(404, unknown.status());
      assertEquals("not_found", unknown.json().getJsonObject("error").getString("code"));
    }
  }

  /** Verifies that the document is OpenAPI 3.1 and describes exactly the contract's calls, each with its refusals. */
  @Test
  void documentDescribesEveryContractCall() {
    assertEquals(OpenAPIVersion.V3_1, contract.getVersion());
    Set<String> described = contract.operations().stream()
        .map(op -> op.getHttpMethod().name() + " " + op.getOpenAPIPath()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(CONTRACT_CALLS), described);
    for (Operation op : contract.operations()) {
      String what = op.getHttpMethod() + " " + op.getOpenAPIPath();
      assertNotNull(op.getResponse(401), what + " documents 401");
      assertNotNull(op.getResponse(403), what + " documents 403");
      assertNotNull(op.getResponse(503), what + " documents 503");
      if (op.getOpenAPIPath().contains("{")) {
        assertNotNull(op.getResponse(404), what + " documents 404");
      }
      if (op.getRequestBody() != null) {
        assertNotNull(op.getResponse(400), what + " documents 400");
        assertNotNull(op.getResponse(413), what + " documents 413");
      }
    }
  }

  /** Verifies that every example of a body, request or answer, matches the schema it illustrates. */
  @Test
  void everyExampleMatchesItsSchema() {
    JsonObject doc = OpenApiCheck.document();
    int checked = 0;
    for (Operation op : contract.operations()) {
      String what = op.getHttpMethod() + " " + op.getOpenAPIPath();
      if (op.getRequestBody() != null) {
        MediaType media = op.getRequestBody().getContent().get("application/json");
        JsonObject rawMedia =
            raw(doc, op).getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json");
        checked += checkExamples(what + " request", media, rawMedia);
      }
      JsonObject responses = raw(doc, op).getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        JsonObject response = resolve(doc, responses.getJsonObject(status));
        JsonObject content = response.getJsonObject("content");
        if (content == null) {
          continue;
        }
        MediaType media = op.getResponse(Integer.parseInt(status)).getContent().get("application/json");
        int n = checkExamples(what + " " + status, media, content.getJsonObject("application/json"));
        assertTrue(n > 0, what + " " + status + " has an example");
        checked += n;
      }
    }
    assertTrue(checked > 100, "examples checked: " + checked);
  }

  /** Verifies that the traffic check refuses answers and acceptances the document does not describe. */
  @Test
  void checkRefusesDriftedExchanges() {
    String tokens = "/v1/accounts/acc1/tokens";
    JsonObject token = new JsonObject().put("name", "t").putNull("project").put("status", "ACTIVE")
        .put("createdAt", "2026-12-01T09:00:00Z").putNull("expiresAt").putNull("revokedAt").putNull("lastUsedAt")
        .put("connectedInstances", 0);
    String list = new JsonObject().put("items", List.of(token)).encode();
    // the described answer passes
    check.check(HttpMethod.GET, tokens + "?status=ACTIVE", null, 200, "application/json", list);
    // a listing that leaks a token value, a missing field, an undocumented status, an undocumented error code
    String leaking = new JsonObject().put("items", List.of(token.copy().put("value", "dt_x"))).encode();
    String missing = new JsonObject().put("items", List.of(token.copy().put("status", "GONE"))).encode();
    for (String[] drift : List.of(new String[] {"200", leaking}, new String[] {"200", missing},
        new String[] {"418", "{}"}, new String[] {"400", "{\"error\":{\"code\":\"oops\",\"message\":\"m\"}}"})) {
      assertThrows(AssertionError.class, () -> check.check(HttpMethod.GET, tokens, null, Integer.parseInt(drift[0]),
          "application/json", drift[1]), "drift accepted: " + drift[1]);
    }
    // a request the document calls invalid (bad name, unknown field, bad filter) must not be accepted
    String created = new JsonObject().put("name", "t").putNull("project").put("status", "ACTIVE")
        .put("createdAt", "2026-12-01T09:00:00Z").putNull("expiresAt").put("value", "dt_0123456789abcdef0123").encode();
    check.check(HttpMethod.POST, tokens, Buffer.buffer("{\"name\":\"t\"}"), 201, "application/json", created);
    for (String body : List.of("{\"name\":\"bad name\"}", "{\"name\":\"t\",\"colour\":1}", "[]")) {
      assertThrows(AssertionError.class, () -> check.check(HttpMethod.POST, tokens, Buffer.buffer(body), 201,
          "application/json", created), "invalid request accepted: " + body);
    }
    assertThrows(AssertionError.class, () -> check.check(HttpMethod.GET, tokens + "?status=LOST", null, 200,
        "application/json", list));
    // a /v1 call the document does not describe must be 404
    assertThrows(AssertionError.class, () -> check.check(HttpMethod.PATCH, tokens, null, 200, "application/json", list));
    check.check(HttpMethod.PATCH, tokens, null, 404, "application/json",
        "{\"error\":{\"code\":\"not_found\",\"message\":\"No such resource.\"}}");
  }

  private int checkExamples(String what, MediaType media, JsonObject rawMedia) {
    List<Object> examples = new ArrayList<>();
    if (rawMedia.containsKey("example")) {
      examples.add(rawMedia.getValue("example"));
    }
    JsonObject named = rawMedia.getJsonObject("examples", new JsonObject());
    named.fieldNames().forEach(n -> examples.add(named.getJsonObject(n).getValue("value")));
    for (Object example : examples) {
      try {
        contract.getSchemaRepository().validator(media.getSchema()).validate(example).checkValidity();
      } catch (JsonSchemaValidationException e) {
        throw new AssertionError(what + ": example " + example + " does not match its schema: " + e.getMessage(), e);
      }
    }
    return examples.size();
  }

  /** The operation's part of the document as written (the contract's raw copy is annotated by the validator). */
  private static JsonObject raw(JsonObject doc, Operation op) {
    return doc.getJsonObject("paths").getJsonObject(op.getOpenAPIPath())
        .getJsonObject(op.getHttpMethod().name().toLowerCase());
  }

  /** Follows a local {@code $ref} ({@code #/components/responses/X}). */
  private static JsonObject resolve(JsonObject doc, JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null) {
      return node;
    }
    JsonObject at = doc;
    for (String part : ref.substring(2).split("/")) {
      at = at.getJsonObject(part);
    }
    return at;
  }
}
