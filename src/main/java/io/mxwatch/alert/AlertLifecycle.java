package io.mxwatch.alert;

import io.mxwatch.drift.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The alert lifecycle of one domain's group, modelled on Alertmanager's and kept free of I/O: given
 * the group's state, what is open now, the silences and the time, it returns the next state and at
 * most one message to send.
 *
 * <ul>
 *   <li>An alert fires while its change or finding is open and resolves when it is not (it cleared,
 *       or an operator approved it).
 *   <li>The first message of a group waits {@code groupWait} so that what fires together goes out
 *       together; later additions and resolutions wait until {@code groupInterval} after the last
 *       message.
 *   <li>A group still firing, with nothing new, is sent again every {@code repeatInterval}; an
 *       alert that got worse (warning to critical) is new.
 *   <li>Silenced alerts are kept but not sent; when the silence ends and the alert still fires, it
 *       is news and goes out.
 *   <li>When nothing fires any more, one RESOLVED message closes the episode (if {@code
 *       sendResolved}).
 * </ul>
 */
public final class AlertLifecycle {
  /** Timing of the messages. */
  public record Settings(Duration groupWait, Duration groupInterval, Duration repeatInterval, boolean sendResolved) {}

  /** The next state, and the message to send now if any. */
  public record Step(GroupState state, Optional<Notification> notification) {}

  private final Settings settings;

  public AlertLifecycle(Settings settings) {
    this.settings = settings;
  }

  /**
   * Evaluates the group of {@code domain}.
   *
   * @param open the changes and findings open now
   * @param silenced whether a silence covers an alert now
   */
  public Step evaluate(String domain, GroupState state, List<Change> open, Predicate<AlertKey> silenced, Instant now) {
    Map<AlertKey, Alert> before = new LinkedHashMap<>();
    for (Alert a : state.alerts()) {
      before.put(a.key(), a);
    }
    List<Alert> alerts = new ArrayList<>();
    for (Change c : open) {
      AlertKey key = new AlertKey(domain, c.code(), c.subject());
      Alert old = before.get(key);
      alerts.add(new Alert(key, c.severity(), c.before(), c.after(), old == null ? now : old.since(), silenced.test(key)));
    }
    Set<AlertKey> audible = alerts.stream().filter(a -> !a.silenced()).map(Alert::key).collect(Collectors.toSet());
    Set<AlertKey> notified = state.notified().stream().map(Alert::key).collect(Collectors.toSet());
    // an alert that got worse since it was sent (a nameserver inconsistency that lasted) is news too
    Map<AlertKey, io.mxwatch.audit.Severity> sentAs = new java.util.HashMap<>();
    state.notified().forEach(a -> sentAs.put(a.key(), a.severity()));
    boolean worse = alerts.stream().anyMatch(a -> !a.silenced() && sentAs.containsKey(a.key()) && a.severity().compareTo(sentAs.get(a.key())) > 0);
    boolean news = !audible.equals(notified) || worse;
    boolean repeat = !audible.isEmpty() && !news && state.lastSent() != null && !now.isBefore(state.lastSent().plus(settings.repeatInterval()));

    Instant pendingSince = news ? (state.pendingSince() == null ? now : state.pendingSince()) : null;
    GroupState waiting = new GroupState(alerts, state.notified(), pendingSince, state.lastSent(), state.sequence(), state.episodeStart());
    if (!news && !repeat) {
      return new Step(waiting, Optional.empty());
    }
    if (news && !due(state, pendingSince, now)) {
      return new Step(waiting, Optional.empty());
    }

    List<Alert> firing = alerts.stream().filter(a -> !a.silenced()).toList();
    // resolved: reported before and no longer open at all (a silenced alert is not resolved)
    Set<AlertKey> current = alerts.stream().map(Alert::key).collect(Collectors.toSet());
    List<Alert> resolved = state.notified().stream().filter(a -> !current.contains(a.key())).toList();
    if (firing.isEmpty()) {
      // the episode ends: say so once, or quietly when resolved messages are off or all that
      // is left is silenced
      GroupState closed = new GroupState(alerts, List.of(), null, null, 0, null);
      if (!settings.sendResolved() || resolved.isEmpty()) {
        return new Step(closed, Optional.empty());
      }
      return new Step(
          closed,
          Optional.of(new Notification(domain, Notification.Kind.RESOLVED, List.of(), resolved, now, state.sequence() + 1, state.episodeStart())));
    }
    long sequence = state.sequence() + 1;
    Instant episodeStart = state.episodeStart() == null ? now : state.episodeStart();
    GroupState sent = new GroupState(alerts, firing, null, now, sequence, episodeStart);
    return new Step(sent, Optional.of(new Notification(domain, Notification.Kind.FIRING, firing, resolved, now, sequence, episodeStart)));
  }

  /**
   * When {@code state} next needs an evaluation even if nothing else changes: when pending news
   * falls due, or a firing group's repeat; null when no timer runs.
   */
  public Instant nextWake(GroupState state) {
    if (state.pendingSince() != null) {
      return state.lastSent() == null ? state.pendingSince().plus(settings.groupWait()) : state.lastSent().plus(settings.groupInterval());
    }
    if (!state.notified().isEmpty() && state.lastSent() != null) {
      return state.lastSent().plus(settings.repeatInterval());
    }
    return null;
  }

  /** Whether pending news may go out now: after group_wait for a new group, group_interval after the last message otherwise. */
  private boolean due(GroupState state, Instant pendingSince, Instant now) {
    if (state.lastSent() == null) {
      return !now.isBefore(pendingSince.plus(settings.groupWait()));
    }
    return !now.isBefore(state.lastSent().plus(settings.groupInterval()));
  }
}
