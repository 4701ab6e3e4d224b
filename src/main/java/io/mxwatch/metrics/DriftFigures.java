package io.mxwatch.metrics;

import io.mxwatch.audit.Severity;
import java.time.Instant;
import io.mxwatch.audit.Status;
import io.mxwatch.drift.Change;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the store says of a domain: its latest check and its drift, as the history (shared by every
 * daemon on it) has them.
 *
 * @param version the drift state's version these figures were read at
 * @param status 0 ok, 1 warning, 2 critical, 3 unknown (the Nagios codes); NaN before the first check
 * @param lastCheck null before the first check
 * @param open open changes by severity
 * @param lastChange the latest confirmed change; null when there was none
 */
public record DriftFigures(long version, double status, Instant lastCheck, Map<Severity, Integer> open, boolean failing, Instant lastChange) {
  public DriftFigures {
    open = Map.copyOf(open);
  }

  /**
   * The figures of a domain whose state is at {@code version} with {@code open} changes open.
   *
   * @param status null before the first check
   */
  public static DriftFigures of(long version, Status status, Instant lastCheck, List<Change> open, boolean failing, Instant lastChange) {
    Map<Severity, Integer> bySeverity = new EnumMap<>(Severity.class);
    for (Change c : open) {
      bySeverity.merge(c.severity(), 1, Integer::sum);
    }
    return new DriftFigures(version, status == null ? Double.NaN : status.exitCode(), lastCheck, bySeverity, failing, lastChange);
  }
}
