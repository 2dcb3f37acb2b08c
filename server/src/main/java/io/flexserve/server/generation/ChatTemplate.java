package io.flexserve.server.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders chat messages into one prompt: with the bundle's own chat template when its {@code
 * tokenizer_config.json} has one (Jinja, as Hugging Face's {@code apply_chat_template} with {@code
 * add_generation_prompt=True}), else with flexserve's plain template (README, "Chat prompts"). The
 * tokenizer adds BOS itself, so a BOS the template writes is dropped.
 */
public sealed interface ChatTemplate permits ChatTemplate.Plain, ChatTemplate.Jinja {
  /** The prompt for {@code messages}, ending where the assistant's answer begins. */
  String render(List<CompletionRequest.ChatMessage> messages);

  /** Strings that end an answer besides the end-of-sequence token. */
  List<String> stops();

  /** The template of the bundle in {@code dir}: its Jinja chat template, or the plain one. */
  static ChatTemplate forBundle(Path dir) throws IOException {
    Path config = dir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(config)) {
      return new Plain();
    }
    JsonNode c = new ObjectMapper().readTree(config.toFile());
    JsonNode t = c.get("chat_template");
    String source = null;
    if (t != null && t.isTextual()) {
      source = t.asText();
    } else if (t != null
        && t.isArray()) { // named templates: [{name, template}]; "default" is the chat one
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          source = named.path("template").asText();
        }
      }
    }
    return source == null
        ? new Plain()
        : new Jinja(source, token(c.get("bos_token")), token(c.get("eos_token")));
  }

  /** A special token in tokenizer_config.json: a string, or an object with {@code content}. */
  private static String token(JsonNode n) {
    if (n == null || n.isNull()) {
      return "";
    }
    return n.isTextual() ? n.asText() : n.path("content").asText("");
  }

  /**
   * For bundles without a chat template (base models):
   *
   * <pre>
   *   {system content}\n\n          (only when there is a system message)
   *   User: {content}\n             (one line per user turn)
   *   Assistant: {content}\n        (one line per earlier assistant turn)
   *   Assistant:                    (the model continues from here)
   * </pre>
   *
   * and the answer stops where the model would begin the next user turn.
   */
  record Plain() implements ChatTemplate {
    /** Where the model would start the next user turn: a chat answer stops there. */
    public static final String TURN_END = "\nUser:";

    @Override
    public String render(List<CompletionRequest.ChatMessage> messages) {
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

    @Override
    public List<String> stops() {
      return List.of(TURN_END);
    }
  }

  /**
   * A Hugging Face chat template, rendered with Jinjava: {@code messages}, {@code
   * add_generation_prompt}, {@code bos_token}, {@code eos_token} and {@code
   * raise_exception(message)} are defined, as transformers does.
   */
  final class Jinja implements ChatTemplate {
    private final Jinjava engine;
    private final String source;
    private final String bos;
    private final String eos;

    Jinja(String source, String bos, String eos) {
      // transformers renders with trim_blocks and lstrip_blocks on; templates are written for that
      this.engine =
          new Jinjava(
              JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
      this.engine
          .getGlobalContext()
          .registerFunction(
              new ELFunctionDefinition(
                  "", "raise_exception", Jinja.class, "raiseException", String.class));
      this.source = source;
      this.bos = bos;
      this.eos = eos;
    }

    /** Called by templates that reject a conversation (e.g. roles not alternating). */
    public static String raiseException(String message) {
      throw new IllegalArgumentException("chat template: " + message);
    }

    @Override
    public String render(List<CompletionRequest.ChatMessage> messages) {
      Map<String, Object> context = new HashMap<>();
      context.put(
          "messages",
          messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
      context.put("add_generation_prompt", true);
      context.put("bos_token", bos);
      context.put("eos_token", eos);
      com.hubspot.jinjava.interpret.RenderResult result = engine.renderForResult(source, context);
      for (com.hubspot.jinjava.interpret.TemplateError error : result.getErrors()) {
        if (error.getSeverity() == com.hubspot.jinjava.interpret.TemplateError.ErrorType.FATAL) {
          throw new IllegalArgumentException(reason(error));
        }
      }
      String prompt = result.getOutput();
      return !bos.isEmpty() && prompt.startsWith(bos) ? prompt.substring(bos.length()) : prompt;
    }

    /** The template's own message when it called raise_exception, else Jinjava's. */
    private static String reason(com.hubspot.jinjava.interpret.TemplateError error) {
      for (Throwable t = error.getException(); t != null; t = t.getCause()) {
        if (t.getMessage() != null && t.getMessage().startsWith("chat template: ")) {
          return t.getMessage();
        }
      }
      return "chat template: " + error.getMessage();
    }

    @Override
    public List<String> stops() {
      return List.of();
    }
  }
}
