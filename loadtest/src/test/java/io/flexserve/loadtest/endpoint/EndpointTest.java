package io.flexserve.loadtest.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void isLoopbackHost_acceptsLocalhostAndLoopbackLiterals() {
    for (String host :
        new String[] {
          "localhost",
          "LocalHost",
          "127.0.0.1",
          "127.1.2.3",
          "127.255.255.255",
          "[::1]",
          "::1",
          "[0:0:0:0:0:0:0:1]"
        }) {
      assertTrue(Endpoint.isLoopbackHost(host), host);
    }
  }

  @Test
  void isLoopbackHost_rejectsEverythingElse() {
    for (String host :
        new String[] {
          "example.com",
          "10.0.0.1",
          "128.0.0.1",
          "0.0.0.0",
          "126.255.255.255",
          "127.0.0.256",
          "[::2]",
          "[::]",
          "localhost.example.com",
          "127.0.0.1.nip.io",
          "127.0.0.1example",
          "my-localhost",
          "[fe80::1]",
          ""
        }) {
      assertFalse(Endpoint.isLoopbackHost(host), host);
    }
  }

  @Test
  void parse_remoteHost_isRefusedWithMessageNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Endpoint.parse("http://10.1.2.3:8080", false));

    assertTrue(
        e.getMessage().contains("10.1.2.3") && e.getMessage().contains("--allow-remote"),
        e.getMessage());
  }

  @Test
  void parse_remoteHostWithAllowRemote_isAccepted() {
    assertEquals(
        URI.create("http://inference.internal:8080"),
        Endpoint.parse("http://inference.internal:8080", true).base());
  }

  @Test
  void parse_loopbackUrls_areAccepted() {
    assertEquals(8080, Endpoint.parse("http://127.0.0.1:8080", false).base().getPort());
    assertEquals("[::1]", Endpoint.parse("http://[::1]:9000/", false).base().getHost());
    assertEquals("localhost", Endpoint.parse("https://localhost", false).base().getHost());
  }

  @Test
  void parse_malformedOrWrongScheme_fails() {
    assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("ftp://127.0.0.1/", false));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("127.0.0.1:8080", false));
    assertThrows(
        IllegalArgumentException.class, () -> Endpoint.parse("http://127.0.0.1:8080/?x=1", false));
    assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("http://exa mple", true));
  }

  @Test
  void apiPaths_resolveUnderBaseWithOrWithoutTrailingSlash() {
    assertEquals(
        URI.create("http://127.0.0.1:8080/v1/embeddings"),
        Endpoint.parse("http://127.0.0.1:8080/", false).embeddings());
    assertEquals(
        URI.create("http://127.0.0.1:8080/v2/health/ready"),
        Endpoint.parse("http://127.0.0.1:8080", false).ready());
    assertEquals(
        URI.create("http://localhost/flex/v1/embeddings"),
        Endpoint.parse("http://localhost/flex", false).embeddings());
  }
}
