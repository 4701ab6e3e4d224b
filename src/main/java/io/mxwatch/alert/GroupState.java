package io.mxwatch.alert;

import java.time.Instant;
import java.util.List;

/**
 * What the lifecycle remembers of one domain's alert group between evaluations. Immutable.
 *
 * @param alerts the alerts firing now (silenced ones included), oldest first
 * @param notified the alerts the last message reported as firing, as reported (kept until the
 *     message that says they resolved)
 * @param pendingSince when something to report first appeared and was not yet sent; null when
 *     nothing is pending
 * @param lastSent when the last message went out; null before the first
 * @param sequence messages sent so far in the current episode (from the first firing message to
 *     the resolved one)
 * @param episodeStart when the episode's first message went out; null between episodes. With the
 *     domain and the route it names the episode's email thread
 */
public record GroupState(List<Alert> alerts, List<Alert> notified, Instant pendingSince, Instant lastSent, long sequence, Instant episodeStart) {
  public static final GroupState EMPTY = new GroupState(List.of(), List.of(), null, null, 0, null);

  public GroupState {
    alerts = List.copyOf(alerts);
    notified = List.copyOf(notified);
  }
}
