package io.flexserve.loadtest.run;

import io.flexserve.loadtest.http.NettyHttpClient;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The two files the Java load tester and the native sender exchange; both little-endian, laid out
 * as {@code native-sender.c} describes at {@code parse_schedule} and {@code write_results}.
 */
final class NativeFiles {
  private static final byte[] SCHEDULE_MAGIC = "FXNSEND1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESULTS_MAGIC = "FXNRSLT1".getBytes(StandardCharsets.US_ASCII);

  /** Flag of a request whose answer body the sender keeps (non-streaming generation). */
  static final int KEEP_BODY = 1;

  private NativeFiles() {}

  /** A result's outcome: the request got a response. */
  static final int RESPONSE = 0;

  /** A result's outcome: connecting, sending or reading failed. */
  static final int TRANSPORT_ERROR = 1;

  /** A result's outcome: no whole answer within the request's timeout. */
  static final int TIMEOUT = 2;

  /**
   * One request's result.
   *
   * @param outcome {@link #RESPONSE}, {@link #TRANSPORT_ERROR} or {@link #TIMEOUT}
   * @param status HTTP status; 0 without a response
   * @param kernelTimestamp whether the receive time is the kernel's receive timestamp
   * @param sentNanos when it was handed to a connection, ns from the sender's start; -1 never
   * @param receivedNanos when the answer's last bytes arrived, or when the request failed, ns from
   *     the sender's start
   * @param head the response's status line and headers, ISO-8859-1 as HTTP/1.1 sends them; empty
   *     without a response
   * @param body the response body when kept ({@link #KEEP_BODY}), else empty
   * @param error why it failed, such as {@code ConnectException: Connection refused}; empty when
   *     answered
   */
  record Result(
      int outcome,
      int status,
      boolean kernelTimestamp,
      long sentNanos,
      long receivedNanos,
      String head,
      byte[] body,
      String error) {}

  /**
   * Writes the schedule: where to connect, the connection cap, then each request's intended offset,
   * timeout, flags and bytes.
   */
  static void writeSchedule(
      Path file,
      InetAddress address,
      int port,
      int maxConnections,
      List<NettyHttpClient.Prepared> requests,
      long[] offsetNanos,
      int[] flags)
      throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      ByteBuffer header = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
      header.put(SCHEDULE_MAGIC);
      header.putInt(requests.size()).putInt(maxConnections);
      header.putInt(address instanceof Inet4Address ? 4 : 6).putInt(port);
      header.put(Arrays.copyOf(address.getAddress(), 16));
      out.write(header.array());
      ByteBuffer entry = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < requests.size(); i++) {
        byte[] wire = requests.get(i).wire();
        entry.clear();
        entry.putLong(offsetNanos[i]).putLong(requests.get(i).timeoutNanos());
        entry.putInt(flags[i]).putInt(wire.length);
        out.write(entry.array());
        out.write(wire);
      }
    }
  }

  /** Reads the results, one per scheduled request, in schedule order. */
  static List<Result> readResults(Path file, int expected) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[8];
    in.get(magic);
    if (!Arrays.equals(magic, RESULTS_MAGIC)) {
      throw new IOException("not a native sender results file: " + file);
    }
    int n = in.getInt();
    if (n != expected) {
      throw new IOException(n + " results for " + expected + " requests");
    }
    List<Result> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int outcome = in.getInt();
      int status = in.getInt();
      boolean kernel = in.getInt() != 0;
      long sent = in.getLong();
      long received = in.getLong();
      String head = new String(bytes(in), StandardCharsets.ISO_8859_1);
      byte[] body = bytes(in);
      String error = new String(bytes(in), StandardCharsets.UTF_8);
      out.add(new Result(outcome, status, kernel, sent, received, head, body, error));
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return b;
  }
}
