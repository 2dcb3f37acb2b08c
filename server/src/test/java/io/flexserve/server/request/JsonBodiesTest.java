package io.flexserve.server.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.server.errors.ApiException;
import io.micronaut.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The body parser every JSON endpoint shares: one JSON value and nothing after it, and 400s in our
 * own words with a position, never the parser's class, feature or constraint names (issue 17, items
 * 3 and 10).
 */
class JsonBodiesTest {
  static final JsonMapper JSON = JsonMapper.createDefault();

  static ApiException.BadRequest rejected(String body) {
    return assertThrows(
        ApiException.BadRequest.class,
        () -> JsonBodies.parse(JSON, body.getBytes(StandardCharsets.UTF_8)),
        body);
  }

  static void assertOwnWords(String message) {
    for (String internal :
        new String[] {
          "`", "Jackson", "JsonReadFeature", "StreamReadConstraints", "com.fasterxml", "java."
        }) {
      assertFalse(message.contains(internal), "'" + internal + "' in: " + message);
    }
  }

  @Test
  void trailingContentAndSecondDocumentsAreRejected() {
    for (String body :
        new String[] {
          "{\"input\":\"a\"} garbage", "{\"input\":\"a\"}{\"input\":\"b\"}", "[1] 2", "{} ]"
        }) {
      ApiException.BadRequest e = rejected(body);
      assertEquals("invalid_json", e.code());
      assertTrue(
          e.getMessage().contains("after its JSON value")
              || e.getMessage().contains("not valid JSON"),
          e.getMessage());
      assertOwnWords(e.getMessage());
    }
    assertTrue(
        JsonBodies.parse(JSON, "{\"input\":\"a\"}  \n ".getBytes(StandardCharsets.UTF_8))
            .isObject(),
        "whitespace after is fine");
  }

  @Test
  void parserErrorsAreInOurWords_withAPosition() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    for (String body :
        new String[] {
          "{\"x\": NaN}", "{\"x\": Infinity}", deep, "{\"x\": 01}", "{'x': 1}", "{\"x\": tru}"
        }) {
      ApiException.BadRequest e = rejected(body);
      assertEquals("invalid_json", e.code());
      assertOwnWords(e.getMessage());
    }
    assertTrue(
        rejected("{\n \"x\": NaN}").getMessage().contains("line 2"), "the position is given");
    assertTrue(
        rejected(deep).getMessage().endsWith("maximum allowed (1000)"),
        rejected(deep).getMessage());
  }
}
