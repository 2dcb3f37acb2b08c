package io.flexserve.server.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
  static final List<CompletionRequest.ChatMessage> CHAT =
      List.of(
          new CompletionRequest.ChatMessage("system", "Be brief."),
          new CompletionRequest.ChatMessage("user", "Hi there"));

  // Zephyr's template, as published in its tokenizer_config.json
  static final String ZEPHYR =
      "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n"
          + "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n"
          + "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n"
          + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

  // Llama-2-chat's shape: BOS in the template, raise_exception on a bad order
  static final String LLAMA2 =
      "{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] %}"
          + "{% set rest = messages[1:] %}{% else %}{% set system = '' %}{% set rest = messages %}{% endif %}"
          + "{% for message in rest %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + (('<<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n') if loop.first and system else '') + message['content'].strip() + ' [/INST]' }}"
          + "{% else %}{{ ' ' + message['content'].strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

  @TempDir Path dir;

  ChatTemplate bundleWith(Object chatTemplate) throws Exception {
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        new ObjectMapper()
            .writeValueAsString(
                Map.of(
                    "chat_template",
                    chatTemplate,
                    "bos_token",
                    "<s>",
                    "eos_token",
                    Map.of("content", "</s>"))));
    return ChatTemplate.forBundle(dir);
  }

  @Test
  void withoutATemplateThePlainOneIsUsed() throws Exception {
    ChatTemplate t = ChatTemplate.forBundle(dir);
    assertInstanceOf(ChatTemplate.Plain.class, t);
    assertEquals("Be brief.\n\nUser: Hi there\nAssistant:", t.render(CHAT));
    assertEquals(List.of("\nUser:"), t.stops());
  }

  @Test
  void zephyrTemplateRendersAsTransformersDoes() throws Exception {
    String prompt = bundleWith(ZEPHYR).render(CHAT);
    assertEquals("<|system|>\nBe brief.</s>\n<|user|>\nHi there</s>\n<|assistant|>\n", prompt);
  }

  @Test
  void namedDefaultTemplateAndLeadingBosDroppedBecauseTheTokenizerAddsIt() throws Exception {
    ChatTemplate t =
        bundleWith(
            List.of(
                Map.of("name", "tool_use", "template", "x"),
                Map.of("name", "default", "template", LLAMA2)));
    assertEquals("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST]", t.render(CHAT));
  }

  @Test
  void raiseExceptionInTheTemplateBecomesAnErrorNamingTheReason() throws Exception {
    ChatTemplate t = bundleWith(LLAMA2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                t.render(
                    List.of(
                        new CompletionRequest.ChatMessage("user", "a"),
                        new CompletionRequest.ChatMessage("user", "b"))));
    assertTrue(e.getMessage().contains("roles must alternate"), e.getMessage());
  }
}
