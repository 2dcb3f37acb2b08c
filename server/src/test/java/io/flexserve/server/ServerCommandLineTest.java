package io.flexserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The server jar only serves: a toolchain command is one line naming the toolchain, and a busy port
 * is one line, before anything starts.
 */
class ServerCommandLineTest {
  @Test
  void serverOptionsStartTheServer() {
    assertTrue(FlexServe.notServing(new String[0]).isEmpty());
    assertTrue(FlexServe.notServing(new String[] {"--port", "9000"}).isEmpty());
  }

  @Test
  void aToolchainCommandNamesTheToolchain() {
    String message = FlexServe.notServing(new String[] {"convert", "--out", "x"}).orElseThrow();
    assertTrue(message.startsWith("'convert' is not a server command"), message);
    assertTrue(message.contains("flexserve-toolchain.jar convert"), message);
    assertEquals(1, message.lines().count(), message);
  }

  @Test
  void aBusyPortIsOneClearLine() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      String saved = System.getProperty("micronaut.server.port");
      System.setProperty("micronaut.server.port", String.valueOf(taken.getLocalPort()));
      try {
        String message = FlexServe.portInUse().orElseThrow();
        assertTrue(
            message.startsWith("port " + taken.getLocalPort() + " is not available"), message);
      } finally {
        if (saved == null) {
          System.clearProperty("micronaut.server.port");
        } else {
          System.setProperty("micronaut.server.port", saved);
        }
      }
    }
  }
}
