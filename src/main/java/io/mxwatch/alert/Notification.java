package io.mxwatch.alert;

import java.time.Instant;
import java.util.List;

/**
 * A message to send for one domain's group.
 *
 * @param firing the alerts firing and not silenced, oldest first
 * @param resolved the alerts notified before that have stopped firing since the last message
 * @param sequence the group's message count, starting at 1; a RESOLVED message threads to the
 *     group's first FIRING one
 */
public record Notification(String domain, Kind kind, List<Alert> firing, List<Alert> resolved, Instant at, long sequence) {
  public enum Kind {
    FIRING,
    RESOLVED
  }

  public Notification {
    firing = List.copyOf(firing);
    resolved = List.copyOf(resolved);
  }
}
