package io.mxwatch.dns;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how many asynchronous operations run at once without blocking any thread: operations
 * over the limit wait in a FIFO queue and start as earlier ones {@linkplain #release() release}
 * their slot.
 *
 * <p>Dispatch is serialised with a work-in-progress counter, so an operation that completes
 * synchronously never recurses into the next one: the queue drains in a loop, not on the stack.
 */
final class AsyncLimiter {
  private static final Logger log = LoggerFactory.getLogger(AsyncLimiter.class);

  private final int limit;
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();

  AsyncLimiter(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    this.limit = limit;
  }

  /**
   * Runs {@code operation} once a slot is free, at once if one is. The operation must call {@link
   * #release()} exactly once when it is done, and should not throw; one that throws is logged and
   * its slot freed.
   */
  void submit(Runnable operation) {
    waiting.add(operation);
    drain();
  }

  /** Frees the slot of an operation that is done, starting the next one waiting. */
  void release() {
    running.decrementAndGet();
    drain();
  }

  /** Operations started and not yet released. */
  int running() {
    return running.get();
  }

  /** Operations waiting for a slot. */
  int queued() {
    return waiting.size();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return; // another thread is draining and will see our change
    }
    do {
      while (running.get() < limit) {
        Runnable next = waiting.poll();
        if (next == null) {
          break;
        }
        running.incrementAndGet();
        try {
          next.run();
        } catch (RuntimeException e) {
          log.error("an operation failed to start; its slot is freed", e);
          running.decrementAndGet();
        }
      }
    } while (wip.decrementAndGet() != 0);
  }
}
