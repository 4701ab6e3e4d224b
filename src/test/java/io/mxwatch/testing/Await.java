package io.mxwatch.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, never for a fixed time. */
public final class Await {
  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} when {@code within} passes first. */
  public static void until(String what, Duration within, BooleanSupplier condition) {
    value(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** The first non-null value {@code probe} returns within the deadline. */
  public static <T> T value(String what, Duration within, Supplier<T> probe) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + within.toSeconds() + "s waiting for " + what);
      }
      try {
        Thread.sleep(20); // the poll period of a deadline-bounded wait, not a synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
