package io.mxwatch.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {

  @Test
  void startsNoMoreThanTheLimitAndTheRestInOrder() {
    AsyncLimiter limiter = new AsyncLimiter(2);
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      results.add(
          limiter.submit(
              () -> {
                started.add(n);
                CompletableFuture<Integer> f = new CompletableFuture<>();
                pending.add(f);
                return f;
              }));
    }
    assertThat(started).containsExactly(0, 1);
    assertThat(limiter.queued()).isEqualTo(3);
    pending.get(0).complete(0);
    assertThat(started).containsExactly(0, 1, 2);
    assertThat(results.get(0)).isCompletedWithValue(0);
    pending.get(2).complete(2);
    pending.get(1).complete(1);
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    pending.get(3).complete(3);
    pending.get(4).complete(4);
    assertThat(limiter.running()).isZero();
    assertThat(results).allMatch(CompletableFuture::isDone);
  }

  @Test
  void synchronousCompletionsDoNotRecurse() {
    AsyncLimiter limiter = new AsyncLimiter(1);
    CompletableFuture<Integer> gate = new CompletableFuture<>();
    limiter.submit(() -> gate);
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      int n = i;
      results.add(limiter.submit(() -> CompletableFuture.completedFuture(n)));
    }
    gate.complete(-1); // drains 200k synchronous operations; a recursive drain would overflow
    assertThat(results).allMatch(CompletableFuture::isDone);
    assertThat(results.get(199_999)).isCompletedWithValue(199_999);
  }

  @Test
  void throwingOperationFailsItsFutureAndFreesTheSlot() {
    AsyncLimiter limiter = new AsyncLimiter(1);
    CompletableFuture<Object> failed =
        limiter.submit(
            () -> {
              throw new IllegalStateException("boom");
            });
    assertThat(failed).isCompletedExceptionally();
    assertThat(limiter.submit(() -> CompletableFuture.completedFuture("next"))).isCompletedWithValue("next");
  }
}
