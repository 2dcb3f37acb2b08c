package io.flexserve.loadtest.workload;

import java.util.Locale;

/**
 * What kind of request to send: an embedding, a text generation through the OpenAI completions or
 * chat endpoint, whole or streamed (server-sent events), or the features of an image.
 */
public enum EndpointKind {
  EMBEDDINGS("embeddings", "/v1/embeddings", false),
  COMPLETIONS("completions", "/v1/completions", false),
  COMPLETIONS_STREAM("completions-stream", "/v1/completions", true),
  CHAT("chat", "/v1/chat/completions", false),
  CHAT_STREAM("chat-stream", "/v1/chat/completions", true),
  VISION("vision", "/v1/vision/features", false);

  private final String label;
  private final String path;
  private final boolean streaming;

  EndpointKind(String label, String path, boolean streaming) {
    this.label = label;
    this.path = path;
    this.streaming = streaming;
  }

  /** The name used by {@code --mix}, trace files and reports, such as {@code chat-stream}. */
  public String label() {
    return label;
  }

  /** The URL path, such as {@code /v1/chat/completions}. */
  public String path() {
    return path;
  }

  /** Whether the request asks for {@code "stream": true}. */
  public boolean streaming() {
    return streaming;
  }

  /** Whether this is a text generation (completions or chat). */
  public boolean generation() {
    return this != EMBEDDINGS && this != VISION;
  }

  /**
   * Reads a kind from its label ({@code embeddings}, {@code completions}, {@code
   * completions-stream}, {@code chat}, {@code chat-stream}, {@code vision}) or a path ({@code
   * /v1/embeddings}, {@code /v1/completions}, {@code /v1/chat/completions}, {@code
   * /v1/vision/features}, which mean the non-streaming kinds); an empty string means embeddings.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static EndpointKind parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.isEmpty()) {
      return EMBEDDINGS;
    }
    for (EndpointKind k : values()) {
      if (k.label.equals(s) || (!k.streaming && k.path.equals(s))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "endpoint '"
            + text
            + "' is not supported; use embeddings, completions, "
            + "completions-stream, chat, chat-stream, vision, /v1/embeddings, /v1/completions, /v1/chat/completions "
            + "or /v1/vision/features");
  }
}
