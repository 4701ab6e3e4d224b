package io.mxwatch.alert;

import io.mxwatch.config.DomainPattern;
import io.mxwatch.config.MxwatchConfig;
import java.time.Instant;

/**
 * A silence: alerts of matching domains are recorded but not sent from {@code start} until {@code
 * end}.
 *
 * @param id the stored silence's id; 0 for a maintenance window from the configuration
 * @param by who added it ("config" for the configuration's)
 */
public record SilenceRule(long id, DomainPattern pattern, Instant start, Instant end, String reason, String by) {
  /** Who added the configuration's maintenance windows. */
  public static final String CONFIG = "config";

  /** A maintenance window from the configuration. */
  public static SilenceRule of(MxwatchConfig.Silence window) {
    return new SilenceRule(0, window.domain(), window.start(), window.end(), window.reason(), CONFIG);
  }

  /** {@code #id} for a stored silence, {@code config} for a maintenance window. */
  public String label() {
    return id == 0 ? CONFIG : "#" + id;
  }

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
