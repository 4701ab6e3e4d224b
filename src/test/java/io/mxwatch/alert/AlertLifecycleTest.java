package io.mxwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Severity;
import io.mxwatch.drift.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lifecycle with a fixed clock: grouping, group interval, repeat, resolve, silences. */
class AlertLifecycleTest {
  private static final String DOMAIN = "example.org";
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Change MX_REMOVED = new Change("MX_REMOVED", Severity.CRITICAL, "mx2.example.org", "20 mx2.example.org", "absent");
  private static final Change DMARC_WEAKENED = new Change("DMARC_POLICY_WEAKENED", Severity.CRITICAL, "dmarc", "p=reject", "p=none");
  private static final Change SPF_CHANGED = new Change("SPF_CHANGED", Severity.WARNING, "spf", "-all", "~all");

  private final AlertLifecycle lifecycle =
      new AlertLifecycle(new AlertLifecycle.Settings(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), true));
  private GroupState state = GroupState.EMPTY;
  private final Set<AlertKey> silences = new HashSet<>();
  private final List<Notification> sent = new ArrayList<>();

  /** Evaluates at T0 + {@code seconds} with {@code open}; returns the message, if one went out. */
  private Optional<Notification> at(long seconds, Change... open) {
    return at(lifecycle, seconds, open);
  }

  private Optional<Notification> at(AlertLifecycle l, long seconds, Change... open) {
    AlertLifecycle.Step step = l.evaluate(DOMAIN, state, List.of(open), silences::contains, T0.plusSeconds(seconds));
    state = step.state();
    step.notification().ifPresent(sent::add);
    return step.notification();
  }

  private static List<String> codes(List<Alert> alerts) {
    return alerts.stream().map(a -> a.key().code()).toList();
  }

  @Test
  void whatFiresWithinGroupWaitGoesOutAsOneMessage() {
    assertThat(at(0, MX_REMOVED)).isEmpty();
    assertThat(at(10, MX_REMOVED, DMARC_WEAKENED)).isEmpty();
    assertThat(at(29, MX_REMOVED, DMARC_WEAKENED)).isEmpty();
    Notification n = at(30, MX_REMOVED, DMARC_WEAKENED).orElseThrow();
    assertThat(n.kind()).isEqualTo(Notification.Kind.FIRING);
    assertThat(codes(n.firing())).containsExactly("MX_REMOVED", "DMARC_POLICY_WEAKENED");
    assertThat(n.firing().getFirst().since()).isEqualTo(T0);
    assertThat(n.sequence()).isEqualTo(1);
    assertThat(at(60, MX_REMOVED, DMARC_WEAKENED)).as("nothing new: nothing sent").isEmpty();
  }

  @Test
  void laterAdditionsWaitForTheGroupIntervalAndTheRepeatIntervalResendsAStillFiringGroup() {
    at(0, MX_REMOVED);
    assertThat(at(30, MX_REMOVED)).isPresent();
    assertThat(at(40, MX_REMOVED, SPF_CHANGED)).isEmpty();
    assertThat(at(329, MX_REMOVED, SPF_CHANGED)).isEmpty();
    Notification second = at(330, MX_REMOVED, SPF_CHANGED).orElseThrow();
    assertThat(codes(second.firing())).containsExactly("MX_REMOVED", "SPF_CHANGED");
    assertThat(second.sequence()).isEqualTo(2);

    assertThat(at(330 + 4 * 3600 - 1, MX_REMOVED, SPF_CHANGED)).isEmpty();
    Notification repeat = at(330 + 4 * 3600, MX_REMOVED, SPF_CHANGED).orElseThrow();
    assertThat(repeat.kind()).isEqualTo(Notification.Kind.FIRING);
    assertThat(repeat.sequence()).isEqualTo(3);
  }

  @Test
  void anAlertThatGetsWorseIsNewsAtTheGroupInterval() {
    Change inProgress = new Change("NS_INCONSISTENT_MX", Severity.WARNING, "MX example.org", "absent", "the nameservers disagree");
    Change lasting = new Change("NS_INCONSISTENT_MX", Severity.CRITICAL, "MX example.org", "warning: …", "critical: … not propagating");
    assertThat(at(0, inProgress)).isEmpty();
    assertThat(at(30, inProgress)).isPresent();
    assertThat(at(100, inProgress)).as("the same: nothing sent").isEmpty();
    assertThat(at(200, lasting)).as("worse, but within the group interval").isEmpty();
    Notification worse = at(330, lasting).orElseThrow();
    assertThat(worse.firing()).singleElement().satisfies(a -> {
      assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(a.since()).as("the same alert, firing since it began").isEqualTo(T0);
    });
    assertThat(at(700, lasting)).as("sent as critical: nothing new").isEmpty();
    assertThat(at(1100, inProgress)).as("better again is no page").isEmpty();
  }

  @Test
  void whenEverythingClearsOneResolvedMessageClosesTheEpisode() {
    at(0, MX_REMOVED, SPF_CHANGED);
    at(30, MX_REMOVED, SPF_CHANGED);
    Notification partly = at(400, MX_REMOVED).orElseThrow();
    assertThat(partly.kind()).isEqualTo(Notification.Kind.FIRING);
    assertThat(codes(partly.resolved())).containsExactly("SPF_CHANGED");
    assertThat(at(500)).as("within the group interval").isEmpty();
    Notification resolved = at(700).orElseThrow();
    assertThat(resolved.kind()).isEqualTo(Notification.Kind.RESOLVED);
    assertThat(codes(resolved.resolved())).containsExactly("MX_REMOVED");
    assertThat(resolved.sequence()).isEqualTo(3);
    assertThat(at(800)).isEmpty();
    assertThat(state).isEqualTo(GroupState.EMPTY);

    at(900, DMARC_WEAKENED);
    assertThat(at(930, DMARC_WEAKENED).orElseThrow().sequence()).as("a new episode starts a new thread").isEqualTo(1);
  }

  @Test
  void aFlapShorterThanGroupWaitSendsNothing() {
    assertThat(at(0, MX_REMOVED)).isEmpty();
    assertThat(at(20)).isEmpty();
    assertThat(at(60)).isEmpty();
    assertThat(sent).isEmpty();
  }

  @Test
  void silencedAlertsAreKeptButNotSentAndGoOutWhenTheSilenceEndsWhileTheyStillFire() {
    silences.add(new AlertKey(DOMAIN, "MX_REMOVED", "mx2.example.org"));
    assertThat(at(0, MX_REMOVED)).isEmpty();
    assertThat(at(3600, MX_REMOVED)).isEmpty();
    assertThat(state.alerts()).singleElement().extracting(Alert::silenced).isEqualTo(true);
    silences.clear();
    assertThat(at(3601, MX_REMOVED)).isEmpty();
    Notification n = at(3631, MX_REMOVED).orElseThrow();
    assertThat(codes(n.firing())).containsExactly("MX_REMOVED");
    assertThat(n.firing().getFirst().since()).as("firing since it first fired, not since the silence ended").isEqualTo(T0);
  }

  @Test
  void silencingAFiringAlertIsNotAResolution() {
    at(0, MX_REMOVED);
    at(30, MX_REMOVED);
    silences.add(new AlertKey(DOMAIN, "MX_REMOVED", "mx2.example.org"));
    assertThat(at(400, MX_REMOVED)).isEmpty();
    assertThat(sent).hasSize(1);
  }

  @Test
  void resolvedMessagesCanBeTurnedOff() {
    AlertLifecycle quiet = new AlertLifecycle(new AlertLifecycle.Settings(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), false));
    at(quiet, 0, MX_REMOVED);
    assertThat(at(quiet, 30, MX_REMOVED)).isPresent();
    assertThat(at(quiet, 400)).isEmpty();
    assertThat(state.notified()).isEmpty();
  }
}
