package io.mxwatch.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Checks start in batches: a check due at some instant starts at the next multiple of {@link
 * #TICK} (never before it is due, at most one tick after). At 333 checks a second that is about 33
 * checks per batch instead of one timer wake-up per check, and their DNS queries go out and their
 * answers come back together, so each wake-up of a DNS receiver or recording thread serves many
 * checks instead of one (the one-shot check's bursts, for the daemon).
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  /** Checks due within one tick start together, at its end. */
  static final Duration TICK = Duration.ofMillis(100);

  private final DomainTask task;
  private final JobCounters counters;
  private final Clock clock;
  private final int limit;
  private final long tickMs;
  private final ScheduledThreadPoolExecutor timer;
  /** Domains with a check waiting for its time, waiting for a turn, or running. */
  private final Set<String> reserved = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  /** Checks waiting for their time, by the epoch millisecond they start at (under lock). */
  private final Map<Long, Batch> batches = new HashMap<>();
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

    Check(String domain, Instant due) {
      this.domain = domain;
      this.due = due;
    }
  }

  /** The checks that start at one tick, and the timer task that starts them. */
  private static final class Batch {
    final List<Check> checks = new ArrayList<>();
    ScheduledFuture<?> timerTask;
  }

  Dispatcher(DomainTask task, int limit, JobCounters counters, Clock clock) {
    this(task, limit, TICK, counters, clock);
  }

  Dispatcher(DomainTask task, int limit, Duration tick, JobCounters counters, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("at least one check at a time: " + limit);
    }
    if (tick.toMillis() < 1) {
      throw new IllegalArgumentException("a tick of at least a millisecond: " + tick);
    }
    this.task = task;
    this.limit = limit;
    this.tickMs = tick.toMillis();
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
   * Starts the check of {@code domain} with the first tick at or after {@code due} (at once when
   * that has passed).
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
    long at = Math.ceilDiv(due.toEpochMilli(), tickMs) * tickMs;
    synchronized (lock) {
      if (!closed) {
        Batch batch = batches.get(at);
        if (batch == null) {
          batch = new Batch();
          try {
            batch.timerTask = timer.schedule(() -> fire(at), Math.max(0, at - clock.millis()), TimeUnit.MILLISECONDS);
            batches.put(at, batch);
          } catch (RejectedExecutionException e) {
            batch = null;
          }
        }
        if (batch != null) {
          batch.checks.add(c);
          return c.done;
        }
      }
    }
    abandon(c);
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
      for (Batch batch : batches.values()) {
        batch.timerTask.cancel(false);
        dropped.addAll(batch.checks);
      }
      batches.clear();
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

  /** Starts the checks of the tick at {@code at}, as many as the limit allows; the rest wait their turn. */
  private void fire(long at) {
    List<Check> starting = new ArrayList<>();
    synchronized (lock) {
      Batch batch = batches.remove(at);
      if (batch == null || closed) {
        return; // dropped by close()
      }
      for (Check c : batch.checks) {
        if (running < limit) {
          running++;
          starting.add(c);
        } else {
          waiting.add(c);
        }
      }
    }
    starting.forEach(this::start);
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
    reserved.remove(c.domain);
    c.done.complete(Outcome.DROPPED);
  }
}
