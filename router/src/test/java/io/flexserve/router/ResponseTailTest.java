package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResponseTailTest {
  @Test
  void beforeAnyAnswer_theMarginIsTheFloor() {
    assertEquals(3.0, new ResponseTail(3, 256).marginMillis());
  }

  @Test
  void shortTails_keepTheFloor() {
    ResponseTail tail = new ResponseTail(3, 256);
    for (int i = 0; i < 1000; i++) {
      tail.observe(0.5);
    }
    assertEquals(3.0, tail.marginMillis());
  }

  @Test
  void longTails_raiseTheMarginToTheirHighQuantile() {
    ResponseTail tail = new ResponseTail(1, 128); // recomputed every 8 answers
    for (int i = 0; i < 128; i++) {
      tail.observe(i < 126 ? 2.0 : 9.0); // 2 in 128 answers leave late: the 99th percentile is 9
    }
    assertEquals(9.0, tail.marginMillis());
  }

  @Test
  void oneOutlierInAWindow_isNotReserved_theMarginIsAQuantileNotTheMax() {
    ResponseTail tail = new ResponseTail(1, 128);
    for (int i = 0; i < 128; i++) {
      tail.observe(i == 60 ? 50.0 : 2.0);
    }
    assertEquals(2.0, tail.marginMillis());
  }

  @Test
  void theMarginFollowsRecentTails_oldOnesLeaveTheWindow() {
    ResponseTail tail = new ResponseTail(1, 64);
    for (int i = 0; i < 64; i++) {
      tail.observe(8.0);
    }
    assertEquals(8.0, tail.marginMillis());
    for (int i = 0; i < 64; i++) {
      tail.observe(0.2);
    }
    assertEquals(1.0, tail.marginMillis(), "back to the floor once the long tails have left");
  }

  @Test
  void badSamples_areIgnored() {
    ResponseTail tail = new ResponseTail(2, 16);
    for (int i = 0; i < 32; i++) {
      tail.observe(Double.NaN);
      tail.observe(-1);
      tail.observe(Double.POSITIVE_INFINITY);
    }
    assertEquals(2.0, tail.marginMillis());
    assertEquals(0, tail.observed());
  }

  @Test
  void invalidSettings_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ResponseTail(-1, 16));
    assertThrows(IllegalArgumentException.class, () -> new ResponseTail(1, 0));
  }
}
