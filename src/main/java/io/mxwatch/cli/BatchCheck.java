package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Status;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a stream of domains with at most {@code window} in progress and writes each result as it
 * finishes, or, when {@code ordered}, in input order as soon as its predecessors are written. Memory
 * is bounded by the window, not by the number of domains. Ordered output waits for the slowest
 * domain in the window, so large runs are better written as they finish.
 *
 * <p>Results are not flushed one by one: the output goes out whenever the writer's buffer fills and
 * at least every {@value #FLUSH_MILLIS} ms, so a result reaches the reader at most that late and a
 * run of 100,000 domains does not cost 100,000 writes.
 */
final class BatchCheck {
  private static final Logger log = LoggerFactory.getLogger(BatchCheck.class);
  static final long FLUSH_MILLIS = 200;

  private final Checker checker;
  private final java.util.function.Function<String, java.util.List<String>> dkimSelectors;
  private final ReportWriter writer;
  private final int windowSize;
  /** Slots free in the window; guarded by this, like the writer. */
  private int free;
  /** Slots the starting thread waits for; it is woken only when that many are free. */
  private int wanted;
  private final boolean ordered;
  private final Tally tally = new Tally();
  private final Map<Long, Runnable> finished = new HashMap<>();
  private long nextToWrite;
  private long flushedAt = System.nanoTime();

  BatchCheck(Checker checker, ReportWriter writer, int windowSize, boolean ordered) {
    this(checker, writer, windowSize, ordered, domain -> java.util.List.of());
  }

  /** @param dkimSelectors the DKIM selectors to check of each domain */
  BatchCheck(Checker checker, ReportWriter writer, int windowSize, boolean ordered, java.util.function.Function<String, java.util.List<String>> dkimSelectors) {
    this.dkimSelectors = dkimSelectors;
    this.ordered = ordered;
    this.checker = checker;
    this.writer = writer;
    this.windowSize = windowSize;
    this.free = windowSize;
  }

  /** Checks every domain and returns the tally once all are written. */
  Tally run(Iterator<String> domains) throws InterruptedException {
    writer.begin();
    long index = 0;
    // Slots are taken a batch at a time so that this thread wakes once per batch of finished
    // domains, not once per domain.
    int batch = Math.max(1, windowSize / 16);
    while (domains.hasNext()) {
      int slots = awaitSlots(batch);
      int taken = 0;
      for (; taken < slots && domains.hasNext(); taken++) {
        long position = index++;
        start(domains.next()).whenComplete((write, error) -> finish(position, write));
      }
      releaseSlots(slots - taken);
    }
    awaitSlots(windowSize); // every slot back: every result written
    writer.end(tally);
    return tally;
  }

  /**
   * Waits until at least {@code slots} are free and takes all that are, flushing the output while
   * waiting and whenever a flush is due.
   */
  private synchronized int awaitSlots(int slots) throws InterruptedException {
    wanted = slots;
    try {
      while (free < slots) {
        long due = flushedAt + TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS) - System.nanoTime();
        if (due <= 0) {
          flush();
        } else {
          TimeUnit.NANOSECONDS.timedWait(this, due);
        }
      }
    } finally {
      wanted = 0;
    }
    if (System.nanoTime() - flushedAt > TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS)) {
      flush();
    }
    int taken = free;
    free = 0;
    return taken;
  }

  private synchronized void releaseSlots(int slots) {
    free += slots;
    if (wanted > 0 && free >= wanted) {
      notifyAll();
    }
  }

  private synchronized void flush() {
    flushedAt = System.nanoTime();
    try {
      writer.flush();
    } catch (RuntimeException e) {
      log.error("flushing the report failed", e);
    }
  }

  /** Starts checking a domain; completes with how to write its result. Never fails. */
  private CompletableFuture<Runnable> start(String domain) {
    CompletableFuture<CheckResult> check;
    try {
      java.util.List<String> selectors = dkimSelectors.apply(domain);
      check = selectors.isEmpty() ? checker.checkAsync(domain) : checker.checkAsync(domain, selectors);
    } catch (RuntimeException e) {
      check = CompletableFuture.failedFuture(e);
    }
    return check.handle(
        (result, error) -> {
          if (error == null) {
            Runnable write;
            try {
              write = writer.prepare(result); // outside the lock that the output's turn takes
            } catch (RuntimeException e) {
              log.error("rendering the result of {} failed", domain, e);
              write = () -> writer.failure(domain, "rendering the result failed: " + e);
            }
            Runnable prepared = write;
            return () -> {
              tally.add(result.status());
              prepared.run();
            };
          }
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
          log.error("check of {} failed", domain, cause);
          return () -> {
            tally.add(Status.UNKNOWN);
            writer.failure(domain, cause.toString());
          };
        });
  }

  /** Writes this result (and, when ordered, every later one already finished). */
  private synchronized void finish(long position, Runnable write) {
    if (!ordered) {
      write(write, position);
      return;
    }
    finished.put(position, write);
    for (Runnable next = finished.remove(nextToWrite); next != null; next = finished.remove(nextToWrite)) {
      write(next, nextToWrite);
      nextToWrite++;
    }
  }

  private void write(Runnable write, long position) {
    try {
      write.run();
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      log.error("writing the result of domain #{} failed", position, e);
    } finally {
      releaseSlots(1); // whatever happened, the run goes on and ends: a lost slot would hang it
    }
  }
}
