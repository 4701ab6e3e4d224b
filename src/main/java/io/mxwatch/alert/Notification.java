package io.mxwatch.alert;

import java.time.Instant;
import java.util.List;

/**
 * A message to send for one domain's group.
 *
 * @param firing the alerts firing and not silenced, oldest first
 * @param resolved the alerts notified before that have stopped firing since the last message
 * @param sequence the message's number in its episode, starting at 1; later messages thread to
 *     the first
 * @param episodeStart when the episode's first message went out (this one's {@code at} for
 *     sequence 1)
 */
public record Notification(String domain, Kind kind, List<Alert> firing, List<Alert> resolved, Instant at, long sequence, Instant episodeStart) {
  public enum Kind {
    FIRING,
    RESOLVED
  }

  public Notification {
    firing = List.copyOf(firing);
    resolved = List.copyOf(resolved);
  }
}
