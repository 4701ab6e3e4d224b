package io.mxwatch.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each domain's check at the instant it is due, in memory: one timer thread, at most
 * {@code limit} checks running at once (the rest wait their turn in order), and never two checks
 * of one domain at a time in this process. A check is a {@link DomainTask}, which must not block:
 * it starts work and returns a stage that completes when the check is over.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final DomainTask task;
  private final JobCounters counters;
  private final Clock clock;
  private final int limit;
  private final ScheduledThreadPoolExecutor timer;
  /** Domains with a check waiting for its time, waiting for a turn, or running. */
  private final Set<String> reserved = ConcurrentHashMap.newKeySet();
  /** Checks waiting for their time on the timer. */
  private final Set<Check> timed = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private final ArrayDeque<Check> waiting = new ArrayDeque<>();
  private int running;
  private boolean closed;

  /** How a submitted check ended. */
  enum Outcome {
    /** It ran (successfully or not). */
    RAN,
    /** It was skipped: the domain's previous check was still running. */
    OVERLAPPED,
    /** It never started: the dispatcher was closed first. */
    DROPPED
  }

  private final class Check {
    final String domain;
    final Instant due;
    final CompletableFuture<Outcome> done = new CompletableFuture<>();
    volatile ScheduledFuture<?> timerTask;

    Check(String domain, Instant due) {
      this.domain = domain;
      this.due = due;
    }
  }

  Dispatcher(DomainTask task, int limit, JobCounters counters, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("at least one check at a time: " + limit);
    }
    this.task = task;
    this.limit = limit;
    this.counters = counters;
    this.clock = clock;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mxwatch-dispatch");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
  }

  /**
   * Starts the check of {@code domain} at {@code due} (at once when that has passed).
   *
   * @return completes when the check is over, or at once when it is skipped
   */
  CompletableFuture<Outcome> submit(String domain, Instant due) {
    if (!reserved.add(domain)) {
      counters.overlapped();
      log.warn("check of {} due at {} skipped: its previous check is still running", domain, due);
      return CompletableFuture.completedFuture(Outcome.OVERLAPPED);
    }
    Check c = new Check(domain, due);
    timed.add(c);
    try {
      c.timerTask = timer.schedule(() -> ready(c), Math.max(0, Duration.between(clock.instant(), due).toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      abandon(c);
    }
    return c.done;
  }

  /** Checks running now. */
  int running() {
    synchronized (lock) {
      return running;
    }
  }

  /**
   * Stops starting checks: those not yet started are dropped (their futures complete with {@link
   * Outcome#DROPPED});
   * those running go on. Then waits up to {@code grace} for them.
   *
   * @return whether none is running any more
   */
  boolean close(Duration grace) throws InterruptedException {
    List<Check> dropped;
    synchronized (lock) {
      closed = true;
      dropped = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Check c : List.copyOf(timed)) {
      ScheduledFuture<?> f = c.timerTask;
      if (f != null && f.cancel(false)) {
        dropped.add(c);
      }
    }
    timer.shutdown();
    dropped.forEach(this::abandon);
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (lock) {
      while (running > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
    return true;
  }

  private void ready(Check c) {
    timed.remove(c);
    boolean closedNow;
    synchronized (lock) {
      closedNow = closed;
      if (!closedNow && running >= limit) {
        waiting.add(c);
        return;
      }
      if (!closedNow) {
        running++;
      }
    }
    if (closedNow) {
      abandon(c);
    } else {
      start(c);
    }
  }

  private void start(Check c) {
    counters.started(Duration.between(c.due, clock.instant()));
    CompletionStage<?> stage;
    try {
      stage = task.start(c.domain);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((result, error) -> finished(c, error));
  }

  private void finished(Check c, Throwable error) {
    if (error == null) {
      counters.succeeded();
    } else {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
      counters.failed();
      log.error("check of {} failed: {}", c.domain, cause.toString(), cause);
    }
    reserved.remove(c.domain);
    Check next;
    synchronized (lock) {
      next = closed ? null : waiting.poll();
      if (next == null) {
        running--;
        lock.notifyAll();
      }
    }
    c.done.complete(Outcome.RAN);
    if (next != null) {
      Check n = next;
      try {
        timer.execute(() -> start(n)); // on the timer thread: a check that ends at once never recurses here
      } catch (RejectedExecutionException e) {
        synchronized (lock) {
          running--;
          lock.notifyAll();
        }
        abandon(n);
      }
    }
  }

  private void abandon(Check c) {
    timed.remove(c);
    reserved.remove(c.domain);
    c.done.complete(Outcome.DROPPED);
  }
}
