package io.mxwatch.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {

  @Test
  void startsNoMoreThanTheLimitAndTheRestInOrder() {
    AsyncLimiter limiter = new AsyncLimiter(2);
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      limiter.submit(() -> started.add(n));
    }
    assertThat(started).containsExactly(0, 1);
    assertThat(limiter.running()).isEqualTo(2);
    assertThat(limiter.queued()).isEqualTo(3);
    limiter.release();
    assertThat(started).containsExactly(0, 1, 2);
    limiter.release();
    limiter.release();
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    assertThat(limiter.queued()).isZero();
    limiter.release();
    limiter.release();
    assertThat(limiter.running()).isZero();
  }

  @Test
  void synchronousCompletionsDoNotRecurse() {
    AsyncLimiter limiter = new AsyncLimiter(1);
    limiter.submit(() -> {}); // holds the only slot
    int[] done = new int[1];
    for (int i = 0; i < 200_000; i++) {
      limiter.submit(
          () -> {
            done[0]++;
            limiter.release(); // completes at once, from inside the drain
          });
    }
    assertThat(done[0]).isZero();
    limiter.release(); // drains 200k synchronous operations; a recursive drain would overflow
    assertThat(done[0]).isEqualTo(200_000);
    assertThat(limiter.running()).isZero();
  }

  @Test
  void throwingOperationFreesItsSlot() {
    AsyncLimiter limiter = new AsyncLimiter(1);
    limiter.submit(
        () -> {
          throw new IllegalStateException("boom");
        });
    assertThat(limiter.running()).isZero();
    boolean[] ran = new boolean[1];
    limiter.submit(() -> ran[0] = true);
    assertThat(ran[0]).isTrue();
  }
}
