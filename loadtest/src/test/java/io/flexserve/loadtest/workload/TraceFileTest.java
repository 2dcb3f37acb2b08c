package io.flexserve.loadtest.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFileTest {

  @Test
  void csv_readsEveryKindOfInputs_andSortsByOffset(@TempDir Path dir) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("trace.csv"),
            "offset_ms,endpoint,inputs,target_ms\n"
                + "250,/v1/embeddings,3,20\n"
                + "0,,\"hello, \"\"world\"\"\",\n"
                + "100,/v1/embeddings,,12.5\n"
                + "100,,\"two\nlines\",\n");

    List<TraceEntry> entries = TraceFile.read(file);

    assertEquals(
        List.of(0L, 100_000_000L, 100_000_000L, 250_000_000L),
        entries.stream().map(TraceEntry::offsetNanos).toList());
    assertEquals(new TraceEntry.Texts(List.of("hello, \"world\"")), entries.get(0).inputs());
    assertEquals(OptionalDouble.empty(), entries.get(0).targetMillis());
    assertEquals(
        new TraceEntry.PerRequest(), entries.get(1).inputs(), "equal offsets keep file order");
    assertEquals(OptionalDouble.of(12.5), entries.get(1).targetMillis());
    assertEquals(new TraceEntry.Texts(List.of("two\nlines")), entries.get(2).inputs());
    assertEquals(new TraceEntry.Count(3), entries.get(3).inputs());
    assertEquals(OptionalDouble.of(20), entries.get(3).targetMillis());
  }

  @Test
  void csv_columnsInAnyOrder_withCrlfAndExtraColumns() {
    List<TraceEntry> entries =
        TraceFile.parse("target_ms,note,inputs,endpoint,offset_ms\r\n5,x,2,,1.5\r\n");

    assertEquals(
        List.of(new TraceEntry(1_500_000, new TraceEntry.Count(2), OptionalDouble.of(5))), entries);
  }

  @Test
  void json_readsNumbersStringsArraysAndNulls() {
    List<TraceEntry> entries =
        TraceFile.parse(
            """
                [ {"offset_ms": 10, "endpoint": "/v1/embeddings", "inputs": ["a", "b"], "target_ms": 30},
                  {"offset_ms": 0, "inputs": "solo", "target_ms": null},
                  {"offset_ms": 20, "inputs": 4},
                  {"offset_ms": 30} ]
                """);

    assertEquals(4, entries.size());
    assertEquals(
        new TraceEntry(0, new TraceEntry.Texts(List.of("solo")), OptionalDouble.empty()),
        entries.get(0));
    assertEquals(
        new TraceEntry(10_000_000, new TraceEntry.Texts(List.of("a", "b")), OptionalDouble.of(30)),
        entries.get(1));
    assertEquals(new TraceEntry.Count(4), entries.get(2).inputs());
    assertEquals(new TraceEntry.PerRequest(), entries.get(3).inputs());
  }

  @Test
  void invalidTraces_failNamingTheRowAndValue() {
    assertMessage("offset_ms,endpoint,inputs\n0,,1\n", "must name the columns");
    assertMessage(
        "offset_ms,endpoint,inputs,target_ms\n0,/v2/models/x/infer,1,\n", "'/v2/models/x/infer'");
    assertMessage("offset_ms,endpoint,inputs,target_ms\n0,,1,\n-5,,1,\n", "row 2");
    assertMessage("offset_ms,endpoint,inputs,target_ms\nsoon,,1,\n", "'soon'");
    assertMessage("offset_ms,endpoint,inputs,target_ms\n0,,1,0\n", "target_ms must be > 0");
    assertMessage("offset_ms,endpoint,inputs,target_ms\n0,,\"open,\n", "not closed");
    assertMessage("offset_ms,endpoint,inputs,target_ms\n", "no entries");
    assertMessage("[{\"offset_ms\": 1, \"inputs\": 1.5}]", "entry 0");
    assertMessage("[{\"offset_ms\": 1, \"inputs\": [1]}]", "hold strings");
    assertMessage("[{\"inputs\": 1}]", "missing member 'offset_ms'");
    assertMessage("[{\"offset_ms\": 1, \"endpoint\": 3}]", "'endpoint'");
    assertMessage("[{\"offset_ms\": 1,}]", "invalid JSON");
    assertMessage("[{\"offset_ms\": 1},\n {\"offset_ms\" 2}]", "invalid JSON at line 2, column 15");
    assertMessage("[{\"offset_ms\": 1}] []", "invalid JSON");
    assertMessage("[{\"offset_ms\": 01}]", "invalid JSON");
    assertMessage(
        "[{\"offset_ms\": \"1\"}]", "member 'offset_ms' must be a number or null, got string");
    assertMessage("[{\"offset_ms\": 1e999}]", "'offset_ms' is out of range");
    assertMessage("[{\"offset_ms\": 1, \"inputs\": {}}]", "got object");
    assertMessage("[1]", "entry 0: not an object");
  }

  private static void assertMessage(String trace, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TraceFile.parse(trace));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void generationEndpoints_andMaxTokens_planPromptsAndKinds() {
    List<TraceEntry> entries =
        TraceFile.parse(
            "offset_ms,endpoint,inputs,target_ms,max_tokens\n"
                + "0,chat-stream,Tell me a story,,8\n"
                + "10,/v1/completions,,40,\n"
                + "20,,2,,\n");
    assertEquals(
        List.of(EndpointKind.CHAT_STREAM, EndpointKind.COMPLETIONS, EndpointKind.EMBEDDINGS),
        entries.stream().map(TraceEntry::kind).toList());
    assertEquals(8, entries.get(0).maxTokens());

    List<PlannedRequest> plan =
        new Workload.Replayed(
                "t",
                entries,
                new io.flexserve.loadtest.arrival.ScheduleBounds(10, Double.POSITIVE_INFINITY),
                1,
                Payloads.builtIn(1),
                new TargetDistribution.None(),
                GenerationSettings.defaults())
            .plan();
    assertEquals(List.of("Tell me a story"), plan.get(0).inputs());
    assertEquals(8, plan.get(0).generation().maxTokens());
    assertEquals(List.of(GenerationSettings.builtInPrompts().get(0)), plan.get(1).inputs());
    assertEquals(GenerationSettings.defaults().maxTokens(), plan.get(1).generation().maxTokens());
    assertEquals(2, plan.get(2).inputs().size());
    assertThrows(
        IllegalArgumentException.class,
        () -> TraceFile.parse("offset_ms,endpoint,inputs,target_ms\n0,/v1/rerank,,\n"));
  }
}
