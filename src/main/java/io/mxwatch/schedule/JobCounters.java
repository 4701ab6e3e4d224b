package io.mxwatch.schedule;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** How scheduled checks ended since start. Read by metrics and status. */
public final class JobCounters {
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong lagNanos = new AtomicLong();
  private final AtomicLong overlapped = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private volatile Consumer<Duration> lagObserver = lag -> {};

  /** Hands the lag of every check that starts to {@code observer} (a histogram, say). */
  public void observeLag(Consumer<Duration> observer) {
    this.lagObserver = observer;
  }

  /** A check started {@code lag} after the time it was scheduled for. */
  void started(Duration lag) {
    Duration late = lag.isNegative() ? Duration.ZERO : lag;
    lagNanos.addAndGet(late.toNanos());
    started.incrementAndGet();
    lagObserver.accept(late);
  }

  /** A check not started because the domain's previous check was still running. */
  void overlapped() {
    overlapped.incrementAndGet();
  }

  /** Checks not started because their time had passed by more than the grace (no replay). */
  void missed(int checks) {
    missed.addAndGet(checks);
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

  /** Checks skipped because the previous check of the domain was still running. */
  public long overlappedTotal() {
    return overlapped.get();
  }

  /** Checks skipped because the node was down or behind when they were due. */
  public long missedTotal() {
    return missed.get();
  }
}
