package io.flexserve.loadtest;

import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.endpoint.Endpoint;
import io.flexserve.loadtest.endpoint.SyntheticImages;
import io.flexserve.loadtest.endpoint.VisionRequests;
import io.flexserve.loadtest.run.Sender;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options naming the server and how requests are sent to it; shared by {@code run} and {@code
 * sweep}.
 */
final class ServerOptions {
  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description = "Server base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--allow-remote",
      description = "Allow a host that is not loopback (127.0.0.0/8, localhost, ::1).")
  boolean allowRemote;

  @Option(
      names = "--model",
      defaultValue = "all-minilm-l6-v2",
      description = "Model name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--generation-model",
      paramLabel = "NAME",
      description = "Model of completions and chat requests (default: --model).")
  String generationModel;

  @Option(
      names = "--vision-model",
      paramLabel = "NAME",
      description = "Model of vision requests (default: --model).")
  String visionModel;

  @Option(
      names = "--image-sizes",
      paramLabel = "LIST",
      defaultValue = "224x224,640x480",
      split = ",",
      description =
          "Sizes of the PNG images vision requests send, cycled (default: ${DEFAULT-VALUE}).")
  List<String> imageSizes;

  @Option(
      names = "--images",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Distinct images; repeats may be answered from the server's result cache (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(
      names = "--strict",
      description = "Send X-Deadline-Policy: strict (reject rather than answer late).")
  boolean strict;

  @Option(
      names = "--timeout-s",
      defaultValue = "30",
      description = "Per-request timeout, seconds (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Option(
      names = "--sender",
      defaultValue = "netty",
      paramLabel = "NAME",
      description =
          "netty (default: in process, every endpoint) or native (a C subprocess compiled with gcc at"
              + " first use: one wake-up per request, less CPU per request; non-streaming requests"
              + " only).")
  Sender sender;

  @Option(
      names = "--ready-timeout-s",
      defaultValue = "120",
      description = "Wait this long for /v2/health/ready (default: ${DEFAULT-VALUE}).")
  long readyTimeoutSeconds;

  /**
   * The request settings.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  EmbeddingsRequests requests() {
    Endpoint endpoint = Endpoint.parse(url, allowRemote);
    if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
      throw new IllegalArgumentException("--timeout-s must be > 0, got " + timeoutSeconds);
    }
    VisionRequests vision =
        new VisionRequests(
            visionModel == null ? model : visionModel,
            "summary",
            imageSizes.stream().map(SyntheticImages.Size::parse).toList(),
            images);
    return new EmbeddingsRequests(
        endpoint,
        model,
        strict,
        Duration.ofNanos(Math.round(timeoutSeconds * 1e9)),
        generationModel == null ? model : generationModel,
        vision);
  }

  /**
   * How long to wait for readiness.
   *
   * @throws IllegalArgumentException if negative
   */
  Duration readyTimeout() {
    if (readyTimeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "--ready-timeout-s must be >= 0, got " + readyTimeoutSeconds);
    }
    return Duration.ofSeconds(readyTimeoutSeconds);
  }
}
