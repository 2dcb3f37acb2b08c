package io.flexserve.router;

import java.util.List;

/**
 * Test support: a synthetic four-subnet menu with exact binary-fraction latencies, and shorthand
 * for requests and decisions.
 */
final class MenuFixtures {

  /*
   * Every curve is measured at 128 and 512 tokens, so predictions are exact in double arithmetic:
   *
   *   subnet      size  quality  @128  @512  slope ms/token  @256  @384  @1024
   *   full        1.00  1.00     10    34    0.0625          18    26    66
   *   mlp75       0.75  0.98      8    26    0.046875        14    20    50
   *   mlp50-h75   0.55  0.93      6    18    0.03125         10    14    34
   *   small       0.30  0.80      3     9    0.015625         5     7    17
   */
  static final String FULL = "full";
  static final String MLP75 = "mlp75";
  static final String MLP50_H75 = "mlp50-h75";
  static final String SMALL = "small";

  private MenuFixtures() {}

  /** The four-subnet menu described above, given in deliberately scrambled order. */
  static ModelMenu menu() {
    return ModelMenu.of(
        List.of(
            subnet(MLP50_H75, 0.55, 0.93, 6, 18),
            subnet(FULL, 1.0, 1.0, 10, 34),
            subnet(SMALL, 0.30, 0.80, 3, 9),
            subnet(MLP75, 0.75, 0.98, 8, 26)));
  }

  /** A subnet whose curve passes through (128, ms128) and (512, ms512). */
  static SubnetProfile subnet(
      String name, double size, double quality, double ms128, double ms512) {
    return new SubnetProfile(name, size, quality, curve(128, ms128, 512, ms512));
  }

  static LatencyCurve curve(int tokensA, double millisA, int tokensB, double millisB) {
    return LatencyCurve.of(
        List.of(new LatencyPoint(tokensA, millisA), new LatencyPoint(tokensB, millisB)));
  }
}
