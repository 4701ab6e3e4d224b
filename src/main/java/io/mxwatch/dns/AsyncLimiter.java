package io.mxwatch.dns;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how many asynchronous operations run at once without blocking any thread: operations
 * over the limit wait in a FIFO queue and start as earlier ones complete.
 *
 * <p>Dispatch is serialised with a work-in-progress counter, so an operation that completes
 * synchronously never recurses into the next one: the queue drains in a loop, not on the stack.
 */
final class AsyncLimiter {
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

  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.add(() -> start(operation, result));
    drain();
    return result;
  }

  /** Operations started and not yet complete. */
  int running() {
    return running.get();
  }

  /** Operations waiting for a slot. */
  int queued() {
    return waiting.size();
  }

  private <T> void start(Supplier<CompletableFuture<T>> operation, CompletableFuture<T> result) {
    CompletableFuture<T> started;
    try {
      started = operation.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    started.whenComplete(
        (value, error) -> {
          running.decrementAndGet();
          drain();
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(value);
          }
        });
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
        next.run();
      }
    } while (wip.decrementAndGet() != 0);
  }
}
