package io.flexserve.server.generation;

import java.util.List;

/**
 * Renders chat messages into one prompt. Bundles made from base models carry no chat template, so flexserve uses
 * this plain, documented one (README, "Chat prompts"):
 * <pre>
 *   {system content}\n\n          (only when there is a system message)
 *   User: {content}\n             (one line per user turn)
 *   Assistant: {content}\n        (one line per earlier assistant turn)
 *   Assistant:                    (the model continues from here)
 * </pre>
 * The tokenizer adds BOS. Generation usually wants {@code stop: ["\nUser:"]}; the scheduler adds it for chat.
 */
public final class ChatTemplate {
  /** Where the model would start the next user turn: a chat generation stops there. */
  public static final String TURN_END = "\nUser:";

  private ChatTemplate() {}

  public static String render(List<CompletionRequest.ChatMessage> messages) {
    StringBuilder out = new StringBuilder();
    for (CompletionRequest.ChatMessage m : messages) {
      switch (m.role()) {
        case "system" -> out.append(m.content().strip()).append("\n\n");
        case "user" -> out.append("User: ").append(m.content().strip()).append('\n');
        case "assistant" -> out.append("Assistant: ").append(m.content().strip()).append('\n');
        default -> throw new IllegalArgumentException("role " + m.role());
      }
    }
    return out.append("Assistant:").toString();
  }
}
