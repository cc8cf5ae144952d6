package io.delegatebroker.api.routes;

import io.delegatebroker.api.error.BrokerException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Request validation shared by the admin routes: every failure is a 400 naming the field. */
public final class Validation {

  /** Token, profile, delegate and instance names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Validation() {
  }

  public static String name(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw BrokerException.badRequest("Field '" + field + "' must match [A-Za-z0-9._-]{1,128}.");
    }
    return value;
  }

  /** The JSON object body; an empty body counts as {} only when {@code emptyAllowed}. */
  public static JsonObject body(RoutingContext ctx, boolean emptyAllowed) {
    var buffer = JsonBodyReader.body(ctx);
    if (buffer == null || buffer.length() == 0) {
      if (emptyAllowed) {
        return new JsonObject();
      }
      throw BrokerException.badRequest("The request needs a JSON object body.");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(buffer);
    } catch (DecodeException | IllegalStateException e) {
      throw BrokerException.badRequest("The body is not valid JSON.");
    }
    if (parsed instanceof JsonObject o) {
      return o;
    }
    if (parsed instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    throw BrokerException.badRequest("The body must be a JSON object.");
  }

  public static String requiredName(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (!(v instanceof String s)) {
      throw BrokerException.badRequest("Field '" + field + "' is required and must be a string.");
    }
    return name(field, s);
  }

  public static String optionalName(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw BrokerException.badRequest("Field '" + field + "' must be a string.");
    }
    return name(field, s);
  }

  public static String optionalString(JsonObject body, String field, int maxLength) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.length() > maxLength) {
      throw BrokerException.badRequest("Field '" + field + "' must be a string of at most " + maxLength + " characters.");
    }
    if (!storable(s)) {
      throw BrokerException.badRequest("Field '" + field + "' must be Unicode text without NUL characters.");
    }
    return s;
  }

  /** Text PostgreSQL can store as given: no NUL character and no unpaired surrogate (which would be stored as '?'). */
  static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public static Boolean optionalBoolean(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      throw BrokerException.badRequest("Field '" + field + "' must be true or false.");
    }
    return b;
  }

  public static Instant optionalInstant(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw BrokerException.badRequest("Field '" + field + "' must be an ISO-8601 UTC time string.");
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw BrokerException.badRequest("Field '" + field + "' must be an ISO-8601 UTC time string.");
    }
  }

  /** Rejects fields the call does not know, so typos are not silently ignored. */
  public static void onlyFields(JsonObject body, Set<String> allowed) {
    for (String f : body.fieldNames()) {
      if (!allowed.contains(f)) {
        throw BrokerException.badRequest("Field '" + f + "' is not known here.");
      }
    }
  }

  /** The {@code status} query filter as one of the type's words, or null when absent. */
  public static <E extends Enum<E>> E statusFilter(String value, Class<E> type) {
    if (value == null) {
      return null;
    }
    for (E status : type.getEnumConstants()) {
      if (status.name().equals(value)) {
        return status;
      }
    }
    throw BrokerException.badRequest("Query parameter 'status' must be one of "
        + Arrays.toString(type.getEnumConstants()) + ".");
  }
}
