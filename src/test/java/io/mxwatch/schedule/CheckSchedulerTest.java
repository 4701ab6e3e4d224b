package io.mxwatch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.config.MxwatchConfig.Schedule;
import io.mxwatch.store.Database;
import io.mxwatch.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckSchedulerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Schedule EVERY_SECOND = new Schedule.Every(Duration.ofSeconds(1));

  @TempDir Path dir;
  private Database db;
  private CheckScheduler scheduler;
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
    if (db != null) {
      db.close();
    }
  }

  private CheckScheduler start(DomainTask task) throws Exception {
    if (db == null) {
      db = Database.open(Database.h2Url(dir), "sa", "");
    }
    scheduler = CheckScheduler.start(db.dataSource(), false, CheckScheduler.Settings.defaults(4), task, () -> {}, Clock.systemUTC());
    return scheduler;
  }

  private DomainTask counting() {
    return domain -> runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
  }

  private int runs(String domain) {
    return runs.getOrDefault(domain, new AtomicInteger()).get();
  }

  @Test
  void reconcileAddsRemovesAndReschedulesJobs() throws Exception {
    start(counting());
    assertThat(
            scheduler.reconcile(
                List.of(new Planned("a.example", new Schedule.Every(Duration.ofMinutes(5))), new Planned("b.example", new Schedule.Every(Duration.ofMinutes(5))))))
        .isEqualTo(new CheckScheduler.Reconciled(2, 0, 0, 0));
    assertThat(scheduler.scheduledDomains()).containsExactly("a.example", "b.example");

    CheckScheduler.Reconciled second =
        scheduler.reconcile(
            List.of(
                new Planned("b.example", new Schedule.Cron("0 0 3 * * ?")),
                new Planned("c.example", new Schedule.Every(Duration.ofMinutes(5)))));
    assertThat(second).isEqualTo(new CheckScheduler.Reconciled(1, 1, 1, 0));
    assertThat(scheduler.scheduledDomains()).containsExactly("b.example", "c.example");
    assertThat(scheduler.nextCheck("a.example")).isNull();
    Instant nextB = scheduler.nextCheck("b.example");
    assertThat(nextB.atZone(java.time.ZoneId.systemDefault()).getHour()).isEqualTo(3);

    assertThat(scheduler.reconcile(List.of(new Planned("b.example", new Schedule.Cron("0 0 3 * * ?")), new Planned("c.example", new Schedule.Every(Duration.ofMinutes(5))))))
        .isEqualTo(new CheckScheduler.Reconciled(0, 0, 0, 2));
  }

  @Test
  void theScheduleSurvivesARestartAndKeepsItsSlots() throws Exception {
    start(counting());
    List<Planned> plan = List.of(new Planned("a.example", new Schedule.Every(Duration.ofHours(1))));
    scheduler.reconcile(plan);
    Instant next = scheduler.nextCheck("a.example");
    scheduler.shutdown(Duration.ofSeconds(5));
    db.close();
    db = null;

    start(counting());
    assertThat(scheduler.scheduledDomains()).containsExactly("a.example");
    assertThat(scheduler.nextCheck("a.example")).isEqualTo(next);
    assertThat(scheduler.reconcile(plan)).isEqualTo(new CheckScheduler.Reconciled(0, 0, 0, 1));
  }

  @Test
  void aFailingJobIsCountedAndTheOthersGoOn() throws Exception {
    start(
        domain -> {
          runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
          if (domain.equals("bad.example")) {
            throw new IllegalStateException("boom");
          }
        });
    scheduler.reconcile(List.of(new Planned("bad.example", EVERY_SECOND), new Planned("good.example", EVERY_SECOND)));
    Await.until("two failures and two successes", WAIT, () -> scheduler.counters().failedTotal() >= 2 && runs("good.example") >= 2);
    assertThat(scheduler.isRunning()).isTrue();
    assertThat(scheduler.counters().succeededTotal()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aDomainNeverHasTwoChecksAtATime() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    start(
        domain -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
            release.await();
          } finally {
            running.decrementAndGet();
          }
        });
    scheduler.reconcile(List.of(new Planned("slow.example", EVERY_SECOND)));
    Await.until("the first check to start", WAIT, () -> runs("slow.example") == 1);
    Instant started = Instant.now();
    // three more slots pass while the first check is still running
    Await.until("three intervals to pass", WAIT, () -> Instant.now().isAfter(started.plusSeconds(3)));
    assertThat(runs("slow.example")).isEqualTo(1);
    release.countDown();
    Await.until("the schedule to go on", WAIT, () -> runs("slow.example") >= 2);
    assertThat(most.get()).isEqualTo(1);
  }

  @Test
  void offsetsSpreadTenThousandDomainsEvenlyOverTheInterval() {
    Duration interval = Duration.ofMinutes(5);
    int[] perTenSeconds = new int[30];
    IntStream.range(0, 10_000)
        .mapToObj(i -> "d" + i + ".example.net")
        .forEach(d -> perTenSeconds[(int) (Jitter.offsetMillis(d, interval) / 10_000)]++);
    double mean = 10_000 / 30.0;
    assertThat(IntStream.of(perTenSeconds).max().getAsInt()).isLessThan((int) (mean * 1.2));
    assertThat(IntStream.of(perTenSeconds).min().getAsInt()).isGreaterThan((int) (mean * 0.8));
  }

  @Test
  void aDomainKeepsItsSlotAndTheFirstSlotIsWithinOneInterval() {
    Duration interval = Duration.ofMinutes(5);
    Instant now = Instant.parse("2026-11-23T10:00:00.123Z");
    Instant first = Jitter.firstSlot("example.org", interval, now);
    assertThat(first).isBetween(now, now.plus(interval));
    Instant later = Jitter.firstSlot("example.org", interval, now.plus(Duration.ofHours(7)).plusMillis(4321));
    assertThat(Duration.between(first, later).toMillis() % interval.toMillis()).isZero();
    Set<Instant> slots = Set.of(first, Jitter.firstSlot("example.com", interval, now), Jitter.firstSlot("example.net", interval, now));
    assertThat(slots).hasSize(3);
  }
}
