package io.mxwatch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mxwatch.config.MxwatchConfig.Schedule;
import io.mxwatch.store.Database;
import io.mxwatch.testing.Await;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
  private static final Schedule EVERY_FIVE_MINUTES = new Schedule.Every(Duration.ofMinutes(5));

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
    scheduler =
        CheckScheduler.start(
            db.dataSource(), false, CheckScheduler.Settings.defaults(4, Duration.ofSeconds(10)), task, () -> {}, Clock.systemUTC());
    return scheduler;
  }

  private void restart(DomainTask task) throws Exception {
    scheduler.shutdown(Duration.ofSeconds(5));
    scheduler = null;
    start(task);
  }

  private DomainTask counting() {
    return domain -> {
      runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
      return CompletableFuture.completedFuture(null);
    };
  }

  private int runs(String domain) {
    return runs.getOrDefault(domain, new AtomicInteger()).get();
  }

  @Test
  void reconcileAddsRemovesAndReschedulesDomainsWithOneJobPerSlot() throws Exception {
    start(counting());
    CheckScheduler.Reconciled first =
        scheduler.reconcile(List.of(new Planned("a.example", EVERY_FIVE_MINUTES), new Planned("b.example", EVERY_FIVE_MINUTES)));
    assertThat(first).extracting(r -> r.added(), r -> r.removed(), r -> r.rescheduled(), r -> r.unchanged()).containsExactly(2, 0, 0, 0);
    assertThat(scheduler.scheduledDomains()).containsExactly("a.example", "b.example");
    List<String> slots = List.of(Slot.of("a.example", Duration.ofMinutes(5)).jobName(), Slot.of("b.example", Duration.ofMinutes(5)).jobName());
    assertThat(scheduler.storedJobs()).as("one job per slot in use, named by interval and slot").containsExactlyInAnyOrderElementsOf(new java.util.TreeSet<>(slots));

    CheckScheduler.Reconciled second =
        scheduler.reconcile(List.of(new Planned("b.example", new Schedule.Cron("0 0 3 * * ?")), new Planned("c.example", EVERY_FIVE_MINUTES)));
    assertThat(second).extracting(r -> r.added(), r -> r.removed(), r -> r.rescheduled(), r -> r.unchanged()).containsExactly(1, 1, 1, 0);
    assertThat(scheduler.scheduledDomains()).containsExactly("b.example", "c.example");
    assertThat(scheduler.nextCheck("a.example")).isNull();
    assertThat(scheduler.nextCheck("b.example").atZone(java.time.ZoneId.systemDefault()).getHour()).isEqualTo(3);
    assertThat(scheduler.storedJobs())
        .as("the slot of a.example went unless c.example shares it; a job for the cron expression came")
        .contains(Slot.of("c.example", Duration.ofMinutes(5)).jobName())
        .anyMatch(name -> name.startsWith("cron-"))
        .hasSize(2);

    assertThat(scheduler.reconcile(List.of(new Planned("b.example", new Schedule.Cron("0 0 3 * * ?")), new Planned("c.example", EVERY_FIVE_MINUTES))))
        .extracting(r -> r.added(), r -> r.removed(), r -> r.rescheduled(), r -> r.unchanged(), r -> r.jobsAdded(), r -> r.jobsRemoved(), r -> r.jobsKept())
        .containsExactly(0, 0, 0, 2, 0, 0, 2);
  }

  @Test
  void aJobAnotherNodeStoredAtTheSameMomentIsKeptNotFatal() throws Exception {
    start(counting());
    List<Planned> plan = List.of(new Planned("a.example", EVERY_FIVE_MINUTES), new Planned("b.example", new Schedule.Cron("0 0 3 * * ?")));
    scheduler.reconcile(plan);
    Map<String, Instant> fires = new java.util.TreeMap<>();
    for (String job : scheduler.storedJobs()) {
      fires.put(job, scheduler.storedNextFire(job));
    }
    Instant now = Instant.now();
    // what a second daemon started at the same time does after it listed the jobs (none yet) and
    // the first one stored them: store each job again, and give it the trigger it needs
    for (SchedulePlan.Job job : scheduler.plannedJobs().values()) {
      assertThat(scheduler.add(job, now)).as("%s exists already", job.name()).isFalse();
      scheduler.keep(job, now);
    }
    assertThat(scheduler.storedJobs()).hasSize(2);
    for (String job : scheduler.storedJobs()) {
      assertThat(scheduler.storedNextFire(job)).as("the trigger the first node stored for %s is kept", job).isEqualTo(fires.get(job)).isNotNull();
    }
  }

  @Test
  void theScheduleSurvivesARestartAndKeepsItsSlots() throws Exception {
    start(counting());
    List<Planned> plan = List.of(new Planned("a.example", new Schedule.Every(Duration.ofHours(1))));
    scheduler.reconcile(plan);
    Instant next = scheduler.nextCheck("a.example");
    restart(counting());
    CheckScheduler.Reconciled again = scheduler.reconcile(plan);
    assertThat(again.jobsKept()).as("the job is still in the store").isEqualTo(1);
    assertThat(again.jobsAdded()).isZero();
    assertThat(scheduler.nextCheck("a.example")).isEqualTo(next);
  }

  @Test
  void aFailingCheckIsCountedAndTheOthersGoOn() throws Exception {
    start(
        domain -> {
          runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
          if (domain.equals("bad.example")) {
            throw new IllegalStateException("boom"); // thrown while starting
          }
          if (domain.equals("worse.example")) {
            return CompletableFuture.failedFuture(new IllegalStateException("bang")); // failed later
          }
          return CompletableFuture.completedFuture(null);
        });
    scheduler.reconcile(
        List.of(new Planned("bad.example", EVERY_SECOND), new Planned("worse.example", EVERY_SECOND), new Planned("good.example", EVERY_SECOND)));
    Await.until("failures and successes", WAIT, () -> scheduler.counters().failedTotal() >= 4 && runs("good.example") >= 2);
    assertThat(scheduler.isRunning()).isTrue();
    assertThat(runs("bad.example")).isGreaterThanOrEqualTo(2);
    assertThat(runs("worse.example")).isGreaterThanOrEqualTo(2);
    assertThat(scheduler.counters().succeededTotal()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aDomainNeverHasTwoChecksAtATime() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    start(
        domain ->
            CompletableFuture.runAsync(
                () -> {
                  most.accumulateAndGet(running.incrementAndGet(), Math::max);
                  try {
                    runs.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    running.decrementAndGet();
                  }
                }));
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
  void aCronDomainIsCheckedAtItsTimes() throws Exception {
    start(counting());
    scheduler.reconcile(List.of(new Planned("cron.example", new Schedule.Cron("* * * * * ?"))));
    Await.until("two checks by the cron expression", WAIT, () -> runs("cron.example") >= 2);
  }

  @Test
  void aRestartInTheMiddleOfAWindowChecksWhatIsLeftOnceAndReplaysNothing() throws Exception {
    Duration interval = Duration.ofSeconds(6);
    start(counting());
    scheduler.reconcile(List.of(new Planned("a.example", new Schedule.Every(interval))));
    Await.until("the first check", WAIT, () -> runs("a.example") == 1);
    Instant firstAt = Instant.now();
    restart(counting());
    scheduler.reconcile(List.of(new Planned("a.example", new Schedule.Every(interval))));
    // the window of the first check is resumed after the restart: its check is not started again
    Await.until("half an interval after the first check", WAIT, () -> Instant.now().isAfter(firstAt.plus(interval.dividedBy(2))));
    assertThat(runs("a.example")).as("no second check within the same interval").isEqualTo(1);
    Await.until("the next slot", WAIT, () -> runs("a.example") == 2);
  }

  @Test
  void whatWasDueWhileStoppedIsNotReplayed() throws Exception {
    Duration interval = Duration.ofSeconds(2);
    start(counting());
    scheduler.reconcile(List.of(new Planned("a.example", new Schedule.Every(interval))));
    Await.until("a check", WAIT, () -> runs("a.example") >= 1);
    scheduler.shutdown(Duration.ofSeconds(5));
    scheduler = null;
    int before = runs("a.example");
    Instant stopped = Instant.now();
    Await.until("four intervals without a daemon", WAIT, () -> Instant.now().isAfter(stopped.plus(interval.multipliedBy(4))));
    start(counting());
    scheduler.reconcile(List.of(new Planned("a.example", new Schedule.Every(interval))));
    Instant restarted = Instant.now();
    Await.until("the next check", WAIT, () -> runs("a.example") > before);
    Await.until("an interval after the restart", WAIT, () -> Instant.now().isAfter(restarted.plus(interval).plusMillis(200)));
    // the latest missed slot at once (it is less than a minute late), then the next slot: not one
    // check for each of the four slots missed
    assertThat(runs("a.example") - before).as("checks in the first interval after the restart").isBetween(1, 2);
  }

  @Test
  void aHundredThousandDomainsAreScheduledAsThirtyJobsInBoundedTimeAndMemory() throws Exception {
    start(counting());
    List<Planned> plan = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) {
      plan.add(new Planned("d" + i + ".example.net", EVERY_FIVE_MINUTES));
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    CheckScheduler.Reconciled r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> scheduler.reconcile(plan), "an O(n^2) step");
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
    assertThat(r.added()).isEqualTo(100_000);
    assertThat(scheduler.storedJobs()).as("the store holds a job per slot, not per domain").hasSize(30);
    assertThat(allocated).as("bytes allocated to plan 100,000 domains (about 1 KB each at most)").isLessThan(100L * 1024 * 1024);
    assertThat(scheduler.nextCheck("d99999.example.net")).isBetween(Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofMinutes(5)));
    // a reload of the same 100,000 changes nothing in the store
    assertThat(scheduler.reconcile(plan)).extracting(x -> x.unchanged(), x -> x.jobsKept(), x -> x.jobsAdded()).containsExactly(100_000, 30, 0);
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
    assertThat(java.util.Set.of(first, Jitter.firstSlot("example.com", interval, now), Jitter.firstSlot("example.net", interval, now))).hasSize(3);
  }
}
