package io.mxwatch.schedule;

import io.mxwatch.config.MxwatchConfig.Schedule;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.quartz.CronExpression;

/** A domain and when it is to be checked, as the configuration says. */
public record Planned(String domain, Schedule schedule) {
  /**
   * How long {@code schedule} waits between checks: its interval, or for a cron expression the time
   * between its next two runs after {@code now}.
   */
  public static Duration interval(Schedule schedule, Instant now) {
    return switch (schedule) {
      case Schedule.Every every -> every.interval();
      case Schedule.Cron cron -> {
        try {
          CronExpression e = new CronExpression(cron.expression());
          Date first = e.getNextValidTimeAfter(Date.from(now));
          Date second = first == null ? null : e.getNextValidTimeAfter(first);
          yield second == null ? Duration.ZERO : Duration.ofMillis(second.getTime() - first.getTime());
        } catch (ParseException ex) {
          throw new IllegalArgumentException("not a cron expression: " + cron.expression(), ex);
        }
      }
    };
  }
}
