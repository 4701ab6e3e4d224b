package io.mxwatch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration TICK = Duration.ofMillis(400);

  private final JobCounters counters = new JobCounters();
  /** When each domain's check started (epoch ms), and the checks' stages, left open by the test. */
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
  private final AtomicInteger atOnce = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private Dispatcher dispatcher;

  @AfterEach
  void close() throws InterruptedException {
    running.values().forEach(f -> f.complete(null));
    if (dispatcher != null) {
      dispatcher.close(Duration.ofSeconds(5));
    }
  }

  /** A task whose checks stay open until the test ends them with {@link #end}. */
  private Dispatcher dispatcher(int limit) {
    dispatcher =
        new Dispatcher(
            domain -> {
              startedAt.put(domain, System.currentTimeMillis());
              mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
              CompletableFuture<Void> check = new CompletableFuture<>();
              running.put(domain, check);
              return check.whenComplete((ok, error) -> atOnce.decrementAndGet());
            },
            limit,
            TICK,
            counters,
            Clock.systemUTC());
    return dispatcher;
  }

  private void end(String domain) {
    Await.value(domain + " started", WAIT, () -> running.get(domain)).complete(null);
  }

  /** The start of a tick at least two ticks from now, so that the test submits before it. */
  private static long nextTick() {
    long tick = TICK.toMillis();
    return (System.currentTimeMillis() / tick + 2) * tick;
  }

  @Test
  void checksDueWithinOneTickStartTogetherAtItsEndAndNeverBeforeTheirTime() {
    dispatcher(10);
    long tickStart = nextTick();
    Instant early = Instant.ofEpochMilli(tickStart + 1);
    Instant late = Instant.ofEpochMilli(tickStart + TICK.toMillis() - 1);
    CompletableFuture<Dispatcher.Outcome> a = dispatcher.submit("a.example", early);
    CompletableFuture<Dispatcher.Outcome> b = dispatcher.submit("b.example", late);

    Await.until("both checks started", WAIT, () -> startedAt.size() == 2);
    long tickEnd = tickStart + TICK.toMillis();
    // the one due early in the tick waited for its end with the other: one wake-up for both
    assertThat(startedAt.get("a.example")).isGreaterThanOrEqualTo(tickEnd);
    assertThat(startedAt.get("b.example")).isGreaterThanOrEqualTo(tickEnd);
    assertThat(a).isNotDone();
    end("a.example");
    end("b.example");
    assertThat(a.join()).isEqualTo(Dispatcher.Outcome.RAN);
    assertThat(b.join()).isEqualTo(Dispatcher.Outcome.RAN);
    assertThat(counters.startedTotal()).isEqualTo(2);
  }

  @Test
  void aCheckWhosePreviousCheckStillRunsIsSkippedAndTheDomainIsFreeAgainOnceItEnds() {
    dispatcher(10);
    CompletableFuture<Dispatcher.Outcome> first = dispatcher.submit("a.example", Instant.now());
    Await.until("the first check started", WAIT, () -> startedAt.containsKey("a.example"));

    assertThat(dispatcher.submit("a.example", Instant.now()).join()).isEqualTo(Dispatcher.Outcome.OVERLAPPED);
    assertThat(counters.overlappedTotal()).isEqualTo(1);
    end("a.example");
    assertThat(first.join()).isEqualTo(Dispatcher.Outcome.RAN);

    running.clear();
    startedAt.clear();
    CompletableFuture<Dispatcher.Outcome> again = dispatcher.submit("a.example", Instant.now());
    end("a.example");
    assertThat(again.join()).isEqualTo(Dispatcher.Outcome.RAN);
  }

  @Test
  void aBatchLargerThanTheLimitStartsTheRestInOrderAsChecksEnd() {
    dispatcher(2);
    Instant due = Instant.ofEpochMilli(nextTick() + 1);
    List<String> domains = List.of("a.example", "b.example", "c.example", "d.example", "e.example");
    List<CompletableFuture<Dispatcher.Outcome>> outcomes = domains.stream().map(d -> dispatcher.submit(d, due)).toList();

    Await.until("two checks started", WAIT, () -> startedAt.size() == 2);
    assertThat(startedAt).containsOnlyKeys("a.example", "b.example");
    assertThat(dispatcher.running()).isEqualTo(2);
    end("a.example");
    Await.until("the third started", WAIT, () -> startedAt.containsKey("c.example"));
    assertThat(startedAt).doesNotContainKeys("d.example", "e.example");
    end("b.example");
    end("c.example");
    end("d.example");
    end("e.example");
    outcomes.forEach(o -> assertThat(o.join()).isEqualTo(Dispatcher.Outcome.RAN));
    assertThat(mostAtOnce.get()).isEqualTo(2);
  }

  @Test
  void closeDropsWhatHasNotStartedAndLetsRunningChecksEnd() throws InterruptedException {
    dispatcher(1);
    CompletableFuture<Dispatcher.Outcome> now = dispatcher.submit("a.example", Instant.now());
    CompletableFuture<Dispatcher.Outcome> waiting = dispatcher.submit("b.example", Instant.now());
    CompletableFuture<Dispatcher.Outcome> later = dispatcher.submit("c.example", Instant.now().plus(Duration.ofHours(1)));
    Await.until("the first check started", WAIT, () -> startedAt.containsKey("a.example"));

    assertThat(dispatcher.close(Duration.ofMillis(100))).as("a check still runs").isFalse();
    assertThat(waiting.join()).isEqualTo(Dispatcher.Outcome.DROPPED);
    assertThat(now).isNotDone();
    end("a.example");
    assertThat(now.join()).isEqualTo(Dispatcher.Outcome.RAN);
    assertThat(dispatcher.running()).isZero();
    assertThat(later.join()).isEqualTo(Dispatcher.Outcome.DROPPED);
    assertThat(dispatcher.submit("d.example", Instant.now()).join()).isEqualTo(Dispatcher.Outcome.DROPPED);
    assertThat(startedAt).containsOnlyKeys("a.example");
  }
}
