package io.mxwatch.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the pages write times: UTC to the minute, and how long ago. */
public final class Fmt {
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ISO_INSTANT;

  private Fmt() {}

  /** {@code 2026-12-07 03:01 UTC}; "never" for null. */
  public static String time(Instant t) {
    return t == null ? "never" : MINUTE.format(t);
  }

  /** The machine-readable form, for {@code <time datetime>}. */
  public static String iso(Instant t) {
    return t == null ? "" : SECOND.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  /** {@code 4 min ago}, {@code 3 h ago}, {@code 2 days ago}; "never" for null. */
  public static String ago(Instant t, Instant now) {
    if (t == null) {
      return "never";
    }
    Duration d = Duration.between(t, now);
    if (d.isNegative() || d.toSeconds() < 60) {
      return "just now";
    }
    if (d.toMinutes() < 120) {
      return d.toMinutes() + " min ago";
    }
    if (d.toHours() < 48) {
      return d.toHours() + " h ago";
    }
    return d.toDays() + " days ago";
  }
}
