package io.mxwatch.schedule;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/**
 * Where in its interval a domain is checked: a fixed offset derived from its name. Offsets of many
 * names spread evenly over the interval, and the same name always gets the same one, so restarts
 * and reloads do not move a domain's checks and never bunch them together.
 */
final class Jitter {
  private Jitter() {}

  /** The domain's offset within {@code interval}, in [0, interval). */
  static long offsetMillis(String domain, Duration interval) {
    return Math.floorMod(hash(domain), interval.toMillis());
  }

  /** The first instant at or after {@code now} that is the domain's offset past a multiple of the interval since the epoch. */
  static Instant firstSlot(String domain, Duration interval, Instant now) {
    long period = interval.toMillis();
    long offset = offsetMillis(domain, interval);
    long t = now.toEpochMilli();
    long base = t - Math.floorMod(t, period);
    long slot = base + offset;
    return Instant.ofEpochMilli(slot < t ? slot + period : slot);
  }

  /** One SHA-256 per thread: the offsets of 100,000 domains are computed in parallel at start. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
          });

  private static long hash(String domain) {
    return ByteBuffer.wrap(SHA256.get().digest(domain.getBytes(StandardCharsets.UTF_8))).getLong();
  }
}
