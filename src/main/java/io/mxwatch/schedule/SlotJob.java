package io.mxwatch.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.PersistJobDataAfterExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz job of one slot (or one cron expression): when it fires, it hands the domains due in
 * its window to the {@link Dispatcher}, which starts each at its time (within a tick), and returns once
 * their checks are over. Quartz never runs one job twice at a time anywhere in a cluster, and a
 * domain always belongs to the same job, so a domain never has two checks at a time on any node.
 *
 * <p>{@value #COVERED_UNTIL} (kept in the job's data in the store) is the latest due time whose
 * check was started, so a window is never dispatched twice — not by a late firing of its trigger,
 * not by the one-shot trigger that resumes a window at start-up, not by another node.
 */
@DisallowConcurrentExecution
@PersistJobDataAfterExecution
final class SlotJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(SlotJob.class);
  /** Job data: checks due at or before this epoch millisecond were started. */
  static final String COVERED_UNTIL = "covered_until";
  /** Trigger data of a resume trigger: the window to check from the trigger's firing on. */
  static final String RESUME_WINDOW = "resume_window";
  /** A firing late by more than this skips what was due (no replay): Quartz's misfire threshold. */
  static final Duration GRACE = Duration.ofSeconds(60);

  private final CheckScheduler scheduler;

  SlotJob(CheckScheduler scheduler) {
    this.scheduler = scheduler;
  }

  private record Due(String domain, Instant at) {}

  @Override
  public void execute(JobExecutionContext context) {
    String name = context.getJobDetail().getKey().getName();
    SchedulePlan plan = scheduler.plan();
    SchedulePlan.Job job = plan.jobs().get(name);
    if (job == null) {
      log.debug("job {} has no domains in this configuration; it goes at the next reconciliation", name);
      return;
    }
    JobDataMap data = context.getJobDetail().getJobDataMap();
    long covered = parse(data.getString(COVERED_UNTIL), Long.MIN_VALUE);
    Instant fired = context.getFireTime().toInstant();
    Instant scheduled = context.getScheduledFireTime().toInstant();
    List<Due> due = new ArrayList<>();
    long windowEnd;
    Instant ownSince = null;
    int missed = 0;
    switch (job) {
      case SchedulePlan.Job.Every every -> {
        Slot slot = every.slot();
        String resume = context.getTrigger().getJobDataMap().getString(RESUME_WINDOW);
        long k = resume != null ? Long.parseLong(resume) : slot.windowAt(scheduled);
        // a resumed window starts now; a late firing still starts what is at most GRACE late
        Instant earliest = resume != null ? fired : fired.minus(GRACE);
        for (SchedulePlan.Entry e : plan.domains(name)) {
          Instant at = slot.due(k, e.offsetMs());
          if (at.toEpochMilli() <= covered) {
            continue;
          }
          if (at.isBefore(earliest) || !at.plusMillis(slot.intervalMs()).isAfter(fired)) {
            // too late, or its next check is due already (a later window's firing starts that one)
            missed++;
          } else {
            due.add(new Due(e.domain(), at));
          }
        }
        windowEnd = slot.windowEnd(k).toEpochMilli() - 1;
        if (scheduler.ranWindow(name, k) == k - 1) {
          ownSince = slot.windowStart(k - 1);
        }
      }
      case SchedulePlan.Job.Cron cron -> {
        plan.domains(name).forEach(e -> due.add(new Due(e.domain(), scheduled)));
        windowEnd = scheduled.toEpochMilli();
      }
    }
    if (missed > 0) {
      scheduler.counters().missed(missed);
      if (context.getTrigger().getJobDataMap().getString(RESUME_WINDOW) != null) {
        log.info("{}: {} checks were due in this window before this daemon took it; they wait for their next slot", name, missed);
      } else {
        log.info("{}: {} checks were due more than {}s ago (or are due again already) and wait for their next slot", name, missed, GRACE.toSeconds());
      }
    }
    if (!due.isEmpty()) {
      try {
        scheduler.task().prepare(due.stream().map(Due::domain).toList(), ownSince);
      } catch (RuntimeException e) {
        log.warn("{}: preparing {} checks failed, they start anyway: {}", name, due.size(), e.toString());
      }
    }
    List<CompletableFuture<Dispatcher.Outcome>> started = new ArrayList<>(due.size());
    for (Due d : due) {
      started.add(scheduler.dispatcher().submit(d.domain(), d.at()));
    }
    long coveredNow = Math.max(covered, windowEnd);
    Instant waitUntil = Instant.ofEpochMilli(windowEnd).plus(Dispatcher.TICK).plus(scheduler.longestCheck());
    for (int i = 0; i < started.size(); i++) {
      Dispatcher.Outcome outcome = await(name, started.get(i), waitUntil);
      if (outcome == Dispatcher.Outcome.DROPPED) {
        // stopped before it started: a resumed window picks it up from here
        coveredNow = Math.min(coveredNow, due.get(i).at().toEpochMilli() - 1);
      }
    }
    data.put(COVERED_UNTIL, String.valueOf(Math.max(covered, coveredNow)));
  }

  /** The check's outcome; RAN when it is still running at {@code until} (it goes on, unwaited). */
  private static Dispatcher.Outcome await(String job, CompletableFuture<Dispatcher.Outcome> check, Instant until) {
    try {
      long left = Math.max(0, until.toEpochMilli() - System.currentTimeMillis());
      return check.get(left, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("{}: a check is still running at {}; the job ends without it", job, until);
      return Dispatcher.Outcome.RAN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return check.getNow(Dispatcher.Outcome.RAN);
    } catch (ExecutionException e) {
      return Dispatcher.Outcome.RAN; // never completed exceptionally; counted by the dispatcher
    }
  }

  private static long parse(String value, long otherwise) {
    try {
      return value == null ? otherwise : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
