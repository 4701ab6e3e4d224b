package io.mxwatch.alert;

import io.mxwatch.config.DomainPattern;
import java.time.Instant;

/**
 * A silence: alerts of matching domains are recorded but not sent from {@code start} until {@code
 * end}.
 *
 * @param id the stored silence's id; 0 for a maintenance window from the configuration
 * @param by who added it ("config" for the configuration's)
 */
public record SilenceRule(long id, DomainPattern pattern, Instant start, Instant end, String reason, String by) {
  public boolean covers(String domain, Instant now) {
    return !now.isBefore(start) && now.isBefore(end) && pattern.matches(domain);
  }

  /** Whether the silence starts or ends within (after, upTo]. */
  boolean changesBetween(Instant after, Instant upTo) {
    return within(start, after, upTo) || within(end, after, upTo);
  }

  private static boolean within(Instant t, Instant after, Instant upTo) {
    return t.isAfter(after) && !t.isAfter(upTo);
  }
}
