package io.flexserve.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResponseTailTest {
  @Test
  void beforeAnyAnswer_theMarginIsTheFloor() {
    assertEquals(3.0, new ResponseTail(3, 256, 1e9).marginMillis());
  }

  @Test
  void shortTails_keepTheFloor() {
    ResponseTail tail = new ResponseTail(3, 256, 1e9);
    for (int i = 0; i < 1000; i++) {
      tail.observe(i, 0.5);
    }
    assertEquals(3.0, tail.marginMillis());
  }

  @Test
  void longTails_raiseTheMarginToTheirHighQuantile() {
    ResponseTail tail = new ResponseTail(1, 128, 1e9); // recomputed every 8 answers
    for (int i = 0; i < 128; i++) {
      tail.observe(i, i < 126 ? 2.0 : 9.0); // 2 in 128 answers leave late: the 99th percentile is 9
    }
    assertEquals(9.0, tail.marginMillis());
  }

  @Test
  void oneOutlierInAWindow_isNotReserved_theMarginIsAQuantileNotTheMax() {
    ResponseTail tail = new ResponseTail(1, 128, 1e9);
    for (int i = 0; i < 128; i++) {
      tail.observe(i, i == 60 ? 50.0 : 2.0);
    }
    assertEquals(2.0, tail.marginMillis());
  }

  @Test
  void theMarginFollowsRecentTails_oldOnesLeaveTheWindow() {
    ResponseTail tail = new ResponseTail(1, 64, 1e9);
    for (int i = 0; i < 64; i++) {
      tail.observe(i, 8.0);
    }
    assertEquals(8.0, tail.marginMillis());
    for (int i = 64; i < 128; i++) {
      tail.observe(i, 0.2);
    }
    assertEquals(1.0, tail.marginMillis(), "back to the floor once the long tails have left");
    for (int i = 128; i < 192; i++) {
      tail.observe(i, 6.0); // the ring wrapped: the window holds the newest 64
    }
    assertEquals(6.0, tail.marginMillis());
  }

  @Test
  void oldTails_leaveByAge_evenWhenFewAnswersCame() {
    ResponseTail tail = new ResponseTail(1, 1024, 5_000); // 5 s
    for (int i = 0; i < 100; i++) {
      tail.observe(i * 10, 9.0); // a burst: 100 slow answers in a second
    }
    assertEquals(9.0, tail.marginMillis());
    tail.observe(4_000, 0.5); // 3 s later: the burst still counts
    assertEquals(9.0, tail.marginMillis());
    tail.observe(7_000, 0.5); // past 5 s since most of it: only the newer answers count
    assertEquals(1.0, tail.marginMillis());
  }

  @Test
  void badSamples_areIgnored() {
    ResponseTail tail = new ResponseTail(2, 16, 1e9);
    for (int i = 0; i < 32; i++) {
      tail.observe(i, Double.NaN);
      tail.observe(i, -1);
      tail.observe(i, Double.POSITIVE_INFINITY);
      tail.observe(Double.NaN, 5);
    }
    assertEquals(2.0, tail.marginMillis());
    assertEquals(0, tail.observed());
  }

  @Test
  void invalidSettings_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ResponseTail(-1, 16, 1e9));
    assertThrows(IllegalArgumentException.class, () -> new ResponseTail(1, 0, 1e9));
    assertThrows(IllegalArgumentException.class, () -> new ResponseTail(1, 16, 0));
  }
}
