package io.mxwatch.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * One time slot of an interval: the interval is cut into {@link #count} slots of about ten seconds
 * (at most 360), and every domain falls into the slot of its fixed offset ({@link Jitter}). A slot
 * is one Quartz job, fired once per interval a little ahead of its window; the window's domains are
 * then started at their exact offsets in memory.
 *
 * <p>Window {@code k} of slot {@code index} spans {@code [k*interval + start, k*interval + end)},
 * where start and end are the slot's bounds within the interval. Windows count from the epoch, so
 * a domain's checks stay at the same offset across restarts, reloads and nodes.
 *
 * @param intervalMs the interval in milliseconds
 * @param index which slot, in [0, count)
 * @param count how many slots the interval has
 */
record Slot(long intervalMs, int index, int count) {
  /** The length a slot aims at. */
  static final long TARGET_MS = 10_000;
  /** Slots per interval at most (a day has 360 slots of 4 minutes). */
  static final int MAX_SLOTS = 360;
  /** How long before its window a slot's job fires: Quartz's own delay never delays a check. */
  static final long LEAD_MS = 2_000;

  Slot {
    if (intervalMs < 1 || count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("no such slot: " + index + " of " + count + " in " + intervalMs + " ms");
    }
  }

  /** How many slots an interval has. */
  static int count(long intervalMs) {
    return (int) Math.max(1, Math.min(MAX_SLOTS, Math.round(intervalMs / (double) TARGET_MS)));
  }

  /** The slot of {@code domain} checked every {@code interval}. */
  static Slot of(String domain, Duration interval) {
    return ofOffset(Jitter.offsetMillis(domain, interval), interval);
  }

  /** The slot of the domain at {@code offsetMs} within {@code interval}. */
  static Slot ofOffset(long offsetMs, Duration interval) {
    long period = interval.toMillis();
    int count = count(period);
    return new Slot(period, (int) (offsetMs * count / period), count);
  }

  /** Where the slot begins within the interval, in milliseconds. */
  long startMs() {
    return index * intervalMs / count;
  }

  /** Where it ends within the interval (exclusive). */
  long endMs() {
    return (index + 1) * intervalMs / count;
  }

  /** How far ahead of its window the slot's job fires: two seconds, less for short slots. */
  long leadMs() {
    return Math.min(LEAD_MS, (endMs() - startMs()) / 2);
  }

  /** The Quartz job's name: interval and slot, so that the name alone says what it checks. */
  String jobName() {
    return "every-" + intervalMs + "ms-slot-" + index + "-of-" + count;
  }

  /** The window whose job fires at {@code fireTime} (scheduled): the one starting a lead after it. */
  long windowAt(Instant fireTime) {
    return Math.floorDiv(fireTime.toEpochMilli() + leadMs() - startMs(), intervalMs);
  }

  /** The window in progress or next to start at {@code now}: the first not yet ended. */
  long currentWindow(Instant now) {
    return Math.floorDiv(now.toEpochMilli() - endMs(), intervalMs) + 1;
  }

  /** When window {@code k} starts. */
  Instant windowStart(long k) {
    return Instant.ofEpochMilli(k * intervalMs + startMs());
  }

  /** When window {@code k} ends (exclusive). */
  Instant windowEnd(long k) {
    return Instant.ofEpochMilli(k * intervalMs + endMs());
  }

  /** When the check of a domain at {@code offsetMs} is due in window {@code k}. */
  Instant due(long k, long offsetMs) {
    return Instant.ofEpochMilli(k * intervalMs + offsetMs);
  }

  /** The first time at or after {@code now} that the job fires for a window: a lead before it. */
  Instant firstFire(Instant now) {
    long k = Math.floorDiv(now.toEpochMilli() + leadMs() - startMs() + intervalMs - 1, intervalMs);
    return Instant.ofEpochMilli(k * intervalMs + startMs() - leadMs());
  }
}
