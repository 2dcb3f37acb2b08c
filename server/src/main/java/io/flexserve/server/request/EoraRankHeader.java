package io.flexserve.server.request;

import io.flexserve.server.errors.ApiException;
import io.micronaut.http.HttpHeaders;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code X-EoRA-Rank}: the rank of the low-rank compensation a generation runs with on a compressed
 * model (0: off). Absent, the generation router treats each (sub-network, rank) as a menu entry of
 * its own.
 */
public final class EoraRankHeader {
  public static final String NAME = "X-EoRA-Rank";

  private EoraRankHeader() {}

  /**
   * The requested rank, checked against the ranks the model serves.
   *
   * @param served the ranks a request may ask for, 0 first ({@code DecoderManifest#eoraRanks})
   * @throws ApiException.InvalidValue (422) when the value is not an integer or not one of {@code
   *     served}
   */
  public static OptionalInt from(HttpHeaders headers, List<Integer> served, String model) {
    String raw = RoutingHeaders.single(headers, NAME);
    if (raw == null) {
      return OptionalInt.empty();
    }
    int rank;
    try {
      rank = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new ApiException.InvalidValue(
          "invalid_header", NAME + " must be an integer rank, got '" + raw + "'");
    }
    if (!served.contains(rank)) {
      throw new ApiException.InvalidValue(
          "invalid_eora_rank",
          NAME
              + " "
              + rank
              + " is not served by "
              + model
              + ": choose one of "
              + served
              + (served.size() == 1 ? " (the model has no compensation paths)" : ""));
    }
    return OptionalInt.of(rank);
  }
}
