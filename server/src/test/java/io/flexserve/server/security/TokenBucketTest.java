package io.flexserve.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(42 * SECOND);

  @Test
  void startsFull_thenRefusesWithTimeUntilNextToken() {
    TokenBucket b = new TokenBucket(1, 2, now::get);
    assertEquals(0, b.tryAcquire());
    assertEquals(0, b.tryAcquire());
    long wait = b.tryAcquire();
    assertEquals(SECOND, wait);
    assertEquals(1, TokenBucket.retryAfterSeconds(wait));
  }

  @Test
  void refillsAtTheRate_andNeverAboveCapacity() {
    TokenBucket b = new TokenBucket(2, 3, now::get); // one token per 0.5 s
    for (int i = 0; i < 3; i++) {
      assertEquals(0, b.tryAcquire());
    }
    now.addAndGet(SECOND / 4);
    assertEquals(SECOND / 4, b.tryAcquire()); // half a token there: a quarter second to go
    now.addAndGet(SECOND / 4);
    assertEquals(0, b.tryAcquire());
    assertTrue(b.tryAcquire() > 0);
    now.addAndGet(3600 * SECOND); // a long idle spell refills to capacity only
    for (int i = 0; i < 3; i++) {
      assertEquals(0, b.tryAcquire(), "token " + i);
    }
    assertTrue(b.tryAcquire() > 0);
  }

  @Test
  void refusalTakesNothing_soWaitingTheAnnouncedTimeSucceeds() {
    TokenBucket b = new TokenBucket(0.5, 1, now::get); // one token per 2 s
    assertEquals(0, b.tryAcquire());
    long wait = b.tryAcquire();
    assertEquals(2 * SECOND, wait);
    assertEquals(
        2 * SECOND, b.tryAcquire(), "a refused request does not push the next token further away");
    assertEquals(2, TokenBucket.retryAfterSeconds(wait));
    now.addAndGet(wait);
    assertEquals(0, b.tryAcquire());
  }

  @Test
  void clockGoingBackwardsDoesNotAddTokens() {
    TokenBucket b = new TokenBucket(1, 1, now::get);
    assertEquals(0, b.tryAcquire());
    now.addAndGet(-10 * SECOND);
    assertTrue(b.tryAcquire() > 0);
  }

  @Test
  void retryAfterRoundsUp() {
    assertEquals(1, TokenBucket.retryAfterSeconds(1));
    assertEquals(1, TokenBucket.retryAfterSeconds(SECOND));
    assertEquals(2, TokenBucket.retryAfterSeconds(SECOND + 1));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, now::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, now::get));
  }
}
