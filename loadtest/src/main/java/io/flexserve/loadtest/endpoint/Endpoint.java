package io.flexserve.loadtest.endpoint;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The base URL of the server under test.
 *
 * <p>A load test can saturate whatever it points at, so by default only loopback hosts are
 * accepted: the name {@code localhost}, an IPv4 literal in 127.0.0.0/8, or the IPv6 literal {@code
 * ::1}. The check is on the literal host text; no name is resolved, so a DNS entry that points
 * elsewhere cannot slip through.
 *
 * @param base {@code http} or {@code https} URL without query or fragment; its path (if any)
 *     prefixes the API paths
 */
public record Endpoint(URI base) {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  public Endpoint {
    String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("URL must be http:// or https://, got '" + base + "'");
    }
    if (base.getHost() == null || base.getHost().isEmpty()) {
      throw new IllegalArgumentException("URL has no host: '" + base + "'");
    }
    if (base.getRawQuery() != null || base.getRawFragment() != null) {
      throw new IllegalArgumentException("URL must not have a query or fragment: '" + base + "'");
    }
  }

  /**
   * Parses and checks a base URL.
   *
   * @param url such as {@code http://127.0.0.1:8080}
   * @param allowRemote whether a host that is not loopback is acceptable
   * @return the endpoint
   * @throws IllegalArgumentException if the URL is malformed, or names a host that is not loopback
   *     and {@code allowRemote} is false; the message names the URL
   */
  public static Endpoint parse(String url, boolean allowRemote) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed URL '" + url + "': " + e.getMessage(), e);
    }
    Endpoint endpoint = new Endpoint(uri);
    if (!allowRemote && !isLoopbackHost(uri.getHost())) {
      throw new IllegalArgumentException(
          "refusing to load-test '"
              + uri.getHost()
              + "': not a loopback host "
              + "(127.0.0.0/8, localhost, ::1); pass --allow-remote to target another machine");
    }
    return endpoint;
  }

  /**
   * Whether a URI host is loopback by its text alone: {@code localhost} (any case), a dotted-quad
   * IPv4 literal in 127.0.0.0/8, or an IPv6 literal (bracketed or not) equal to {@code ::1}.
   */
  public static boolean isLoopbackHost(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (IPV4.matcher(h).matches()) {
      String[] octets = h.split("\\.");
      for (String octet : octets) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return Integer.parseInt(octets[0]) == 127;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') < 0 || !h.matches("[0-9a-f:.]+")) {
      return false;
    }
    try {
      // A literal containing ':' and only hex digits, colons and dots is parsed, never looked up.
      InetAddress address = InetAddress.getByName(h);
      return address.isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** {@code POST} target for embeddings. */
  public URI embeddings() {
    return resolve("/v1/embeddings");
  }

  /** {@code GET} target listing the models and their sub-networks. */
  public URI models() {
    return resolve("/v1/models");
  }

  /** {@code GET} target that answers 200 once the server is ready. */
  public URI ready() {
    return resolve("/v2/health/ready");
  }

  /** {@code base + path}, such as {@code /v1/chat/completions}. */
  public URI path(String path) {
    return resolve(path);
  }

  private URI resolve(String path) {
    String s = base.toString();
    return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + path);
  }
}
