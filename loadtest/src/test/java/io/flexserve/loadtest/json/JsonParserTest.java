package io.flexserve.loadtest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonParserTest {

  @Test
  void parse_everyValueType() {
    JsonValue v =
        JsonParser.parse(
            " {\"a\": [1, -2.5e2, true, false, null], \"b\": {\"c\": \"d\"}, \"e\": 0} ");

    JsonValue.Obj o = (JsonValue.Obj) v;
    assertEquals(
        new JsonValue.Arr(
            List.of(
                new JsonValue.Num(1),
                new JsonValue.Num(-250),
                new JsonValue.Bool(true),
                new JsonValue.Bool(false),
                new JsonValue.Null())),
        o.get("a"));
    assertEquals("d", o.object("b").string("c"));
    assertEquals(0, o.integer("e"));
    assertEquals(List.of("a", "b", "e"), List.copyOf(o.members().keySet()));
  }

  @Test
  void parse_stringEscapes_roundTripWithTheWriter() {
    String original = "say \"hi\" \\ tab\t nl\n \u0001 \u2028 é 東 / end";

    JsonValue v = JsonParser.parse(JsonWriter.quote(original));

    assertEquals(new JsonValue.Str(original), v);
    assertEquals(new JsonValue.Str("\u00e9/"), JsonParser.parse("\"\\u00E9\\/\""));
  }

  @Test
  void accessors_wrongTypeOrMissing_failNamingTheMember() {
    JsonValue.Obj o = (JsonValue.Obj) JsonParser.parse("{\"n\": 1.5, \"s\": \"x\", \"z\": null}");

    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> o.string("n"))
            .getMessage()
            .contains("'n'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> o.integer("n"))
            .getMessage()
            .contains("whole"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> o.get("q"))
            .getMessage()
            .contains("'q'"));
    assertTrue(Double.isNaN(o.number("z")));
    assertEquals(Map.of(), ((JsonValue.Obj) JsonParser.parse("{}")).members());
  }

  @Test
  void parse_invalidDocuments_fail() {
    for (String bad :
        List.of(
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{'a':1}",
            "01",
            "1.",
            "-",
            "tru",
            "\"open",
            "\"tab\there\"",
            "[1] 2",
            "{\"a\" 1}",
            "\"\\x\"",
            "NaN",
            "1e999",
            "[".repeat(300))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> JsonParser.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("invalid JSON at offset"), e.getMessage());
    }
  }
}
