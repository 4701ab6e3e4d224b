package io.mxwatch.schedule;

import java.util.concurrent.atomic.AtomicLong;

/** How scheduled checks ended since start. Read by metrics and status. */
public final class JobCounters {
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

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
