package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.DeadlineVerdict;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.EndpointMix;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationRequestsTest {
  private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

  @Test
  void bodies_followOpenAiShapes() {
    assertEquals(
        "{\"model\":\"m\",\"prompt\":\"Hi\",\"max_tokens\":5}",
        GenerationRequests.body(EndpointKind.COMPLETIONS, "m", "Hi", 5));
    assertEquals(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3,"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
        GenerationRequests.body(EndpointKind.CHAT_STREAM, "m", "Hi", 3));
  }

  @Test
  void stream_ttftIsTheFirstTextChunk_gapsBetweenTextChunks_summaryFromTheLastChunk() {
    long t0 = 1_000_000_000L;
    List<GenerationRequests.SseEvent> events =
        List.of(
            event(
                t0,
                5,
                "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Once\"},\"finish_reason\":null}],"
                    + "\"flexserve\":{\"subnet\":\"full\"}}"),
            event(
                t0,
                7,
                "{\"choices\":[{\"delta\":{\"content\":\" upon\"},\"finish_reason\":null}],"
                    + "\"flexserve\":{\"subnet\":\"lat80\"}}"),
            event(
                t0,
                10,
                "{\"choices\":[{\"delta\":{\"content\":\" a\"},\"finish_reason\":null}],"
                    + "\"flexserve\":{\"subnet\":\"lat80\"}}"),
            event(
                t0,
                11,
                "{\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}],\"flexserve\":{"
                    + "\"tokens_per_subnet\":{\"full\":1,\"lat80\":2},\"deadline_met\":false,\"ttft_ms\":4.5,"
                    + "\"total_ms\":10}}"),
            event(
                t0,
                12,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}"),
            event(t0, 12, "[DONE]"));

    RequestRecord r =
        GenerationRequests.streamRecord(
            0,
            0,
            Double.NaN,
            EndpointKind.CHAT_STREAM,
            200,
            NO_HEADERS,
            events,
            12_000_000,
            11_000_000);

    assertEquals("chat-stream", r.endpoint());
    assertEquals(5.0, r.generation().ttftMillis(), 1e-9);
    assertArrayEquals(new double[] {2.0, 3.0}, r.generation().interTokenMillis(), 1e-9);
    assertEquals(3, r.generation().textChunks());
    assertEquals(3, r.generation().tokens());
    assertEquals(List.of("full", "lat80"), r.generation().subnets());
    assertEquals("lat80", r.subnet(), "the sub-network that produced the most tokens");
    assertEquals("length", r.generation().finishReason());
    assertEquals(DeadlineVerdict.MISSED, r.deadlineVerdict());
    assertEquals(4.5, r.generation().serverTtftMillis(), 1e-9);

    Report report = Report.of(List.of(r));
    assertEquals(1, report.endpoints().get("chat-stream").ttft().count());
    assertEquals(2, report.endpoints().get("chat-stream").interToken().count());
    assertEquals(3, report.endpoints().get("chat-stream").tokens());
  }

  @Test
  void whole_readsUsageFinishAndHeaders() {
    HttpHeaders headers =
        HttpHeaders.of(
            Map.of(
                "X-Subnet",
                List.of("full"),
                "X-Deadline-Met",
                List.of("true"),
                "X-TTFT-Ms",
                List.of("3.25")),
            (a, b) -> true);
    String body =
        "{\"choices\":[{\"text\":\" hello\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
            + "\"completion_tokens\":2,\"total_tokens\":3},\"flexserve\":{\"tokens_per_subnet\":{\"full\":2},"
            + "\"deadline_met\":true,\"ttft_ms\":3.25,\"total_ms\":5}}";

    RequestRecord r =
        GenerationRequests.wholeRecord(
            1, 0, 50, EndpointKind.COMPLETIONS, 200, headers, body, 9_000_000, 8_000_000);

    assertEquals(2, r.generation().tokens());
    assertEquals("stop", r.generation().finishReason());
    assertEquals(DeadlineVerdict.MET, r.deadlineVerdict());
    assertTrue(Double.isNaN(r.generation().ttftMillis()));
    assertEquals(3.25, r.generation().serverTtftMillis(), 1e-9);
  }

  @Test
  void stream_unparsableOrErrorEvents_areRecordedAsErrors() {
    long t0 = 1_000_000_000L;
    RequestRecord unparsable =
        GenerationRequests.streamRecord(
            0,
            0,
            Double.NaN,
            EndpointKind.COMPLETIONS_STREAM,
            200,
            NO_HEADERS,
            List.of(
                event(t0, 3, "{\"choices\":[{\"text\":\"Once\"}]}"),
                event(t0, 4, "{\"choices\":[}"),
                event(t0, 5, "")),
            5_000_000,
            5_000_000);
    assertTrue(unparsable.error().startsWith("unparsable event: "), unparsable.error());
    assertEquals(1, unparsable.generation().textChunks());

    RequestRecord failed =
        GenerationRequests.streamRecord(
            0,
            0,
            Double.NaN,
            EndpointKind.CHAT_STREAM,
            200,
            NO_HEADERS,
            List.of(event(t0, 3, "{\"error\":{\"message\":\"queue full\"}}")),
            5_000_000,
            5_000_000);
    assertEquals("queue full", failed.error());
    assertEquals("error", failed.generation().finishReason());

    RequestRecord whole =
        GenerationRequests.wholeRecord(
            1, 0, 50, EndpointKind.COMPLETIONS, 200, NO_HEADERS, "{\"choices\":", 1, 1);
    assertEquals("unparsable", whole.generation().finishReason());
  }

  @Test
  void mix_parsesKindsAndDrawsReproducibly() {
    EndpointMix mix = EndpointMix.parse("embeddings=0.5,completions=0.3,chat-stream=0.2");
    List<EndpointKind> kinds = mix.draw(1000, 3);
    assertEquals(kinds, mix.draw(1000, 3));
    long chatStreams = kinds.stream().filter(k -> k == EndpointKind.CHAT_STREAM).count();
    assertTrue(chatStreams > 150 && chatStreams < 250, "about 20 %: " + chatStreams);
    assertEquals(
        List.of(EndpointKind.CHAT, EndpointKind.CHAT),
        EndpointMix.parse("/v1/chat/completions").draw(2, 1));
    assertThrows(
        IllegalArgumentException.class, () -> EndpointMix.parse("embeddings=0.5,rerank=0.5"));
    assertThrows(IllegalArgumentException.class, () -> EndpointMix.parse("chat=-1"));
  }

  private static GenerationRequests.SseEvent event(long intended, double atMs, String data) {
    return new GenerationRequests.SseEvent(intended + Math.round(atMs * 1e6), intended, data);
  }
}
