package io.mxwatch.config;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Points in time as operators give them: a duration back from now, a date, or an instant. */
public final class TimePoints {
  private TimePoints() {}

  /**
   * {@code 7d} (that long ago), {@code 2026-11-01} (midnight UTC), {@code 2026-11-01T10:00:00Z} or
   * with an offset.
   *
   * @throws IllegalArgumentException naming the input
   */
  public static Instant parse(String text, Instant now) {
    String t = text.strip();
    try {
      if (t.length() == 10 && t.charAt(4) == '-') {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (t.contains("T")) {
        return OffsetDateTime.parse(t).toInstant();
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time: " + e.getMessage());
    }
    try {
      return now.minus(Durations.parse(t));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a time: give a duration back from now (7d, 12h), a date (2026-11-01) or an instant (2026-11-01T10:00:00Z)");
    }
  }
}
