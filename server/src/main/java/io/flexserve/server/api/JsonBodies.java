package io.flexserve.server.api;

import io.flexserve.server.errors.ApiException;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Request bodies as JSON trees, with 400s that say what is wrong with them. Shared by every JSON endpoint. */
public final class JsonBodies {
  private JsonBodies() {}

  /** Parses {@code body}, which must be valid UTF-8 JSON (any value: callers check for an object). */
  public static JsonNode parse(JsonMapper json, byte[] body) {
    if (body == null || body.length == 0) {
      throw new ApiException.BadRequest("invalid_json", "request body is empty; expected a JSON object");
    }
    try {
      // Strict decoding: invalid UTF-8 is an error, not silently replaced text that would then be embedded.
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw new ApiException.BadRequest("invalid_utf8", "request body is not valid UTF-8");
    }
    try {
      JsonNode node = json.readValue(body, JsonNode.class);
      if (node == null) {
        throw new ApiException.BadRequest("invalid_json", "request body is not JSON");
      }
      return node;
    } catch (IOException e) {
      throw new ApiException.BadRequest("invalid_json", "request body is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "parse error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
