package io.flexserve.server.api;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** OpenAI's embeddings response: {@code {"object":"list","data":[…],"model","usage"}}. */
@Serdeable
public record EmbeddingsResponse(String object, List<Item> data, String model, Usage usage) {

  /**
   * One embedding; {@code embedding} is a float array or, with {@code encoding_format: base64}, a
   * string.
   */
  @Serdeable
  public record Item(String object, int index, Object embedding) {}

  @Serdeable
  public record Usage(int prompt_tokens, int total_tokens) {}

  static EmbeddingsResponse of(
      String model, float[][] embeddings, boolean base64, int promptTokens) {
    List<Item> items = new java.util.ArrayList<>(embeddings.length);
    for (int i = 0; i < embeddings.length; i++) {
      items.add(new Item("embedding", i, base64 ? toBase64(embeddings[i]) : embeddings[i]));
    }
    return new EmbeddingsResponse("list", items, model, new Usage(promptTokens, promptTokens));
  }

  /** Little-endian float32 bytes, base64: what OpenAI clients decode. */
  static String toBase64(float[] v) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return java.util.Base64.getEncoder().encodeToString(b.array());
  }
}
