package io.flexserve.loadtest.html;

/**
 * Colours of the charts: the Okabe–Ito palette, which stays distinguishable for the common forms of
 * colour blindness (Okabe and Ito, "Color Universal Design", 2008), with black swapped for a dark
 * grey and a few extras for long lists.
 */
final class Palette {
  static final String BLUE = "#0072B2";
  static final String ORANGE = "#E69F00";
  static final String GREEN = "#009E73";
  static final String VERMILLION = "#D55E00";
  static final String PURPLE = "#CC79A7";
  static final String SKY = "#56B4E9";
  static final String YELLOW = "#F0E442";
  static final String GREY = "#7F7F7F";
  static final String INK = "#333333";
  static final String GRID = "#E3E3E3";

  private static final String[] CYCLE = {
    BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, "#8C564B", GREY, "#17BECF"
  };

  private Palette() {}

  /** The {@code i}-th colour of the cycle, repeating after ten. */
  static String nth(int i) {
    return CYCLE[Math.floorMod(i, CYCLE.length)];
  }
}
