package io.flexserve.server.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.flexserve.server.errors.ApiException;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies as JSON trees, with 400s that say what is wrong with them. Shared by every JSON
 * endpoint.
 */
public final class JsonBodies {
  private JsonBodies() {}

  /**
   * Parses {@code body}, which must be valid UTF-8 JSON (any value: callers check for an object).
   */
  public static JsonNode parse(JsonMapper json, byte[] body) {
    if (body == null || body.length == 0) {
      throw new ApiException.BadRequest(
          "invalid_json", "request body is empty; expected a JSON object");
    }
    try {
      // Strict decoding: invalid UTF-8 is an error, not silently replaced text that would then be
      // embedded.
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw new ApiException.BadRequest("invalid_utf8", "request body is not valid UTF-8");
    }
    requireOneValue(body);
    try {
      JsonNode node = json.readValue(body, JsonNode.class);
      if (node == null) {
        throw new ApiException.BadRequest("invalid_json", "request body is not JSON");
      }
      return node;
    } catch (IOException e) {
      throw new ApiException.BadRequest("invalid_json", "request body is not valid JSON");
    }
  }

  /**
   * Reads the body once with Jackson's streaming parser (default limits: nesting depth, number and
   * string lengths): exactly one JSON value and nothing after it but whitespace. Its errors become
   * our own words, with the position, never the parser's class or feature names.
   */
  private static void requireOneValue(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() == null) {
        throw new ApiException.BadRequest("invalid_json", "request body is not JSON");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new ApiException.BadRequest(
            "invalid_json", "request body has more after its JSON value" + at(p.currentLocation()));
      }
    } catch (StreamConstraintsException e) {
      throw new ApiException.BadRequest(
          "invalid_json", "request body exceeds a JSON limit: " + ownWords(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ApiException.BadRequest(
          "invalid_json",
          "request body is not valid JSON"
              + at(e.getLocation())
              + ": "
              + ownWords(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ApiException.BadRequest("invalid_json", "request body is not valid JSON");
    }
  }

  private static final JsonFactory FACTORY = new JsonFactory();

  private static String at(JsonLocation l) {
    return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }

  /**
   * The parser's message up to its first reference to its own API (`Feature` names, `Constraints`
   * getters).
   */
  private static String ownWords(String message) {
    if (message == null) {
      return "parse error";
    }
    int tick = message.indexOf('`');
    String cut = tick < 0 ? message : message.substring(0, tick);
    cut = cut.replaceAll("[\\s:,(]*(enable|from|to allow)?[\\s:,(]*$", "");
    int nl = cut.indexOf('\n');
    cut = nl < 0 ? cut : cut.substring(0, nl);
    // "... maximum allowed (1000, from `StreamReadConstraints...`)" was cut inside its parenthesis:
    // close it
    long open =
        cut.chars().filter(c -> c == '(').count() - cut.chars().filter(c -> c == ')').count();
    return open > 0 ? cut + ")".repeat((int) open) : cut;
  }
}
