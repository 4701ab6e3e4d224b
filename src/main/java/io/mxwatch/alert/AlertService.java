package io.mxwatch.alert;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs alerting in the daemon: every tick, evaluates what is due and drains the outbox. Failures
 * are logged and the next tick tries again; nothing is lost, since both steps work from the store.
 */
public final class AlertService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertService.class);

  private final AlertEngine engine;
  private final OutboxSender sender;
  private final BooleanSupplier enabled;
  private final ScheduledExecutorService executor;
  private final Duration tick;
  private ScheduledFuture<?> task;

  /** @param enabled whether alert emails are configured now; while not, ticks do nothing */
  public AlertService(AlertEngine engine, OutboxSender sender, BooleanSupplier enabled, ScheduledExecutorService executor, Duration tick) {
    this.engine = engine;
    this.sender = sender;
    this.enabled = enabled;
    this.executor = executor;
    this.tick = tick;
  }

  public synchronized void start() {
    if (task == null) {
      task = executor.scheduleWithFixedDelay(this::runOnce, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One tick: evaluate, then send. */
  public void runOnce() {
    if (!enabled.getAsBoolean()) {
      return;
    }
    try {
      engine.evaluate();
    } catch (RuntimeException e) {
      log.error("evaluating alerts failed (retried next tick): {}", e.getMessage(), e);
    }
    try {
      sender.drain();
    } catch (RuntimeException e) {
      log.error("sending alerts failed (retried next tick): {}", e.getMessage(), e);
    }
  }

  /** Stops ticking; a send in progress finishes first (at most the relay timeout). */
  @Override
  public void close() {
    synchronized (this) {
      if (task != null) {
        task.cancel(false);
      }
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.MINUTES)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
