package io.flexserve.server.kserve;

/**
 * The server's version, as {@code GET /v2} reports it (the jar's Implementation-Version when
 * packaged).
 */
final class FlexServeVersion {
  static final String VALUE =
      java.util.Optional.ofNullable(FlexServeVersion.class.getPackage().getImplementationVersion())
          .orElse("0.1.0");

  private FlexServeVersion() {}
}
