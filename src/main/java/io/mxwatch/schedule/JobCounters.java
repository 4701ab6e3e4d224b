package io.mxwatch.schedule;

import java.util.concurrent.atomic.AtomicLong;

/** How scheduled checks ended since start. Read by metrics and status. */
public final class JobCounters {
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong lagNanos = new AtomicLong();

  /** A check started {@code lag} after the time it was scheduled for. */
  void started(java.time.Duration lag) {
    lagNanos.addAndGet(Math.max(0, lag.toNanos()));
    started.incrementAndGet();
  }

  /** Checks started since start. */
  public long startedTotal() {
    return started.get();
  }

  /** How late they started, summed, in nanoseconds. */
  public long lagNanosTotal() {
    return lagNanos.get();
  }

  void succeeded() {
    succeeded.incrementAndGet();
  }

  void failed() {
    failed.incrementAndGet();
  }

  public long succeededTotal() {
    return succeeded.get();
  }

  public long failedTotal() {
    return failed.get();
  }
}
