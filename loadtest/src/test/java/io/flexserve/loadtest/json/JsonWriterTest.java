package io.flexserve.loadtest.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

  @Test
  void nestedContainers_haveCommasOnlyBetweenMembers() {
    String json =
        new JsonWriter()
            .beginObject()
            .name("a")
            .value(1)
            .name("b")
            .beginArray()
            .value("x")
            .value(true)
            .nullValue()
            .beginObject()
            .endObject()
            .endArray()
            .name("c")
            .beginObject()
            .name("d")
            .value(2.5)
            .endObject()
            .endObject()
            .toJson();

    assertEquals("{\"a\":1,\"b\":[\"x\",true,null,{}],\"c\":{\"d\":2.5}}", json);
  }

  @Test
  void quote_escapesQuotesBackslashesAndControlCharacters() {
    assertEquals(
        "\"say \\\"hi\\\" \\\\ tab\\t nl\\n cr\\r \\u0001 \\u2028 é 東\"",
        JsonWriter.quote("say \"hi\" \\ tab\t nl\n cr\r \u0001 \u2028 é 東"));
  }

  @Test
  void nonFiniteNumbers_areWrittenAsNull() {
    String json =
        new JsonWriter()
            .beginArray()
            .value(Double.NaN)
            .value(Double.POSITIVE_INFINITY)
            .endArray()
            .toJson();

    assertEquals("[null,null]", json);
  }

  @Test
  void misuse_failsFast() {
    assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().value(1));
    assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().name("x"));
    assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().toJson());
    assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().endObject());
    assertThrows(IllegalStateException.class, () -> new JsonWriter().value(1).value(2));
  }
}
