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

  /** The same as {@link #offsetMillis(String, Duration)}, hashing with {@code sha} (reused across many domains). */
  static long offsetMillis(String domain, Duration interval, MessageDigest sha) {
    return Math.floorMod(hash(domain, sha), interval.toMillis());
  }

  /** A SHA-256 digest to hash many names with, on one thread. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static long hash(String domain) {
    return hash(domain, sha256());
  }

  private static long hash(String domain, MessageDigest sha) {
    return ByteBuffer.wrap(sha.digest(domain.getBytes(StandardCharsets.UTF_8))).getLong();
  }
}
