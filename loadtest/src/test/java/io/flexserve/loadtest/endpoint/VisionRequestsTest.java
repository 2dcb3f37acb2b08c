package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flexserve.loadtest.http.OutgoingRequest;
import io.flexserve.loadtest.report.RequestRecord;
import io.flexserve.loadtest.workload.EndpointKind;
import io.flexserve.loadtest.workload.PlannedRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class VisionRequestsTest {
  private static final Endpoint LOCAL = Endpoint.parse("http://127.0.0.1:8080", false);

  @Test
  void imagesArePngsOfTheGivenSizes_allDifferent_andTheSameForTheSameSeed() throws Exception {
    List<SyntheticImages.Size> sizes =
        List.of(SyntheticImages.Size.parse("64x48"), SyntheticImages.Size.parse("32X32"));
    List<byte[]> images = SyntheticImages.png(sizes, 4, 9);
    for (int i = 0; i < images.size(); i++) {
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(images.get(i)));
      assertEquals(sizes.get(i % 2).width(), decoded.getWidth());
      assertEquals(sizes.get(i % 2).height(), decoded.getHeight());
    }
    assertFalse(
        java.util.Arrays.equals(images.get(0), images.get(2)), "same size, different images");
    assertArrayEquals(images.get(3), SyntheticImages.png(sizes, 4, 9).get(3));
    assertThrows(IllegalArgumentException.class, () -> SyntheticImages.Size.parse("640"));
    assertThrows(IllegalArgumentException.class, () -> SyntheticImages.Size.parse("0x10"));
  }

  @Test
  void aVisionRequestPostsItsImageRawWithTheRoutingHeaders() throws Exception {
    VisionRequests vision =
        new VisionRequests("radio tiny", "summary", List.of(new SyntheticImages.Size(32, 32)), 3);
    EmbeddingsRequests requests =
        new EmbeddingsRequests(
            LOCAL, "all-minilm-l6-v2", true, Duration.ofSeconds(30), "tinystories", vision);
    PlannedRequest planned =
        new PlannedRequest(
            4,
            0,
            List.of("unused"),
            OptionalDouble.of(40),
            EndpointKind.VISION,
            PlannedRequest.Generation.NONE);

    OutgoingRequest request = requests.build(planned);

    assertEquals(
        "http://127.0.0.1:8080/v1/vision/features?model=radio+tiny&outputs=summary",
        request.uri().toString());
    assertEquals(Optional.of("image/png"), request.header("Content-Type"));
    assertEquals(Optional.of("40"), request.header("X-Latency-Target-Ms"));
    assertEquals(Optional.of("strict"), request.header("X-Deadline-Policy"));
    assertArrayEquals(vision.images().get(4 % 3), request.body(), "request i sends image i mod n");
    assertThrows(
        IllegalArgumentException.class,
        () -> new VisionRequests("m", "logits", List.of(new SyntheticImages.Size(8, 8)), 1));
  }

  @Test
  void aVisionResponseIsRecordedUnderItsEndpoint_andNamesSubnetAtResolution() {
    HttpHeaders headers =
        HttpHeaders.of(
            Map.of(
                "X-Subnet",
                List.of("mlp50"),
                "X-Resolution",
                List.of("224"),
                "X-Deadline-Met",
                List.of("true"),
                "X-Queue-Ms",
                List.of("1.5")),
            (a, b) -> true);
    RequestRecord r =
        ResponseHeaders.toRecord(0, 0, 30, 200, headers, 1_000_000, 900_000, "vision");
    assertEquals("vision", r.endpoint());
    assertEquals("mlp50@224", r.subnet(), "the menu names vision variants <subnet>@<resolution>");
    assertEquals(1.5, r.queueMillis());
    assertEquals(EndpointKind.VISION, EndpointKind.parse("/v1/vision/features"));
    assertFalse(EndpointKind.VISION.generation());
  }
}
