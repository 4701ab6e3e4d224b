package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Status;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a stream of domains with at most {@code window} in progress and writes each result as it
 * finishes, or, when {@code ordered}, in input order as soon as its predecessors are written. Memory
 * is bounded by the window, not by the number of domains. Ordered output waits for the slowest
 * domain in the window, so large runs are better written as they finish.
 */
final class BatchCheck {
  private static final Logger log = LoggerFactory.getLogger(BatchCheck.class);

  private final Checker checker;
  private final ReportWriter writer;
  private final Semaphore window;
  private final int windowSize;
  private final boolean ordered;
  private final Tally tally = new Tally();
  private final Map<Long, Runnable> finished = new HashMap<>();
  private long nextToWrite;

  BatchCheck(Checker checker, ReportWriter writer, int windowSize, boolean ordered) {
    this.ordered = ordered;
    this.checker = checker;
    this.writer = writer;
    this.windowSize = windowSize;
    this.window = new Semaphore(windowSize);
  }

  /** Checks every domain and returns the tally once all are written. */
  Tally run(Iterator<String> domains) throws InterruptedException {
    writer.begin();
    long index = 0;
    while (domains.hasNext()) {
      String domain = domains.next();
      window.acquire();
      long position = index++;
      start(domain).whenComplete((write, error) -> finish(position, write));
    }
    window.acquire(windowSize); // every slot back: every result written
    window.release(windowSize);
    writer.end(tally);
    return tally;
  }

  /** Starts checking a domain; completes with how to write its result. Never fails. */
  private CompletableFuture<Runnable> start(String domain) {
    CompletableFuture<CheckResult> check;
    try {
      check = checker.checkAsync(domain);
    } catch (RuntimeException e) {
      check = CompletableFuture.failedFuture(e);
    }
    return check.handle(
        (result, error) -> {
          if (error == null) {
            return () -> {
              tally.add(result.status());
              writer.result(result);
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
    } catch (RuntimeException e) {
      log.error("writing the result of domain #{} failed", position, e);
    }
    window.release();
  }
}
