package io.mxwatch.alert;

import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.DriftEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what is open for each domain into alert emails: for every domain checked or approved since
 * its last evaluation (or whose timer fell due), runs the {@link AlertLifecycle} of each route the
 * domain's alerts take and writes the new group states and the emails they call for in one
 * transaction. So an email exists exactly when the state that decided it was committed.
 */
public final class AlertEngine {
  private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
  private static final int BATCH = 1000;

  /**
   * What alerting needs from the configuration; replaced as a whole on reload.
   *
   * @param configPath the configuration file, quoted in the ack command of the emails; null when unknown
   */
  public record Setup(MxwatchConfig.Alerts alerts, Map<String, MxwatchConfig.Domain> domains, String configPath) {
    public Setup {
      domains = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(domains)); // Map.copyOf is slow at 100,000
    }
  }

  private final AlertRepository repo;
  private final Supplier<Setup> setup;
  private final Clock clock;
  private final EmailComposer composer = new EmailComposer();
  private final AlertCounters counters;
  private Instant lastRun;
  private Setup lastSetup;

  public AlertEngine(AlertRepository repo, Supplier<Setup> setup, Clock clock, AlertCounters counters) {
    this.repo = repo;
    this.setup = setup;
    this.clock = clock;
    this.counters = counters;
  }

  /**
   * Evaluates every domain that is due.
   *
   * @return the emails queued
   */
  public synchronized int evaluate() {
    Instant now = clock.instant();
    Setup s = setup.get();
    List<SilenceRule> silences = silences(s, lastRun == null ? now : lastRun);
    boolean silenceChanged = lastRun != null && silences.stream().anyMatch(r -> r.changesBetween(lastRun, now));
    if (lastRun == null || s != lastSetup || silenceChanged) {
      // a start, a reload or a silence boundary: what was decided may no longer hold anywhere
      repo.markAllDue(now);
    }
    lastRun = now;
    lastSetup = s;
    Predicate<AlertKey> silenced = key -> silences.stream().anyMatch(r -> r.covers(key.domain(), now));
    AlertLifecycle lifecycle =
        new AlertLifecycle(
            new AlertLifecycle.Settings(s.alerts().groupWait(), s.alerts().groupInterval(), s.alerts().repeatInterval(), s.alerts().sendResolved()));
    int queued = 0;
    for (AlertRepository.Due due : repo.due(now, BATCH)) {
      AlertRepository.Evaluation e = evaluate(due, s, lifecycle, silenced, now);
      if (repo.commit(e)) {
        queued += e.emails().size();
        counters.queued.addAndGet(e.emails().size());
        for (Email email : e.emails()) {
          log.info("{} alert queued for {}: {} {}", email.domain(), String.join(", ", email.to()), email.subject(), email.messageId());
        }
      } else {
        log.debug("{}: alerts evaluated elsewhere in between; evaluated again next time", due.domain());
      }
    }
    return queued;
  }

  private AlertRepository.Evaluation evaluate(AlertRepository.Due due, Setup s, AlertLifecycle lifecycle, Predicate<AlertKey> silenced, Instant now) {
    MxwatchConfig.Domain domain = s.domains().get(due.domain());
    if (domain == null) {
      // no longer watched: its alert state goes, nothing is sent
      return new AlertRepository.Evaluation(due.domain(), due.evaluation(), due.driftVersion(), Map.of(), null, List.of(), now);
    }
    List<Change> open = new DriftEngine(domain.confirmations()).open(due.state(), domain.expect());
    Map<String, GroupState> before = repo.groups(due.domain());
    Map<String, GroupState> after = new HashMap<>();
    List<Email> emails = new ArrayList<>();
    List<AlertRepository.Confirmation> history = null;
    Instant dueAt = null;
    for (MxwatchConfig.Route route : s.alerts().routesFor(due.domain())) {
      List<Change> routed = open.stream().filter(c -> c.severity().compareTo(route.minSeverity()) >= 0).toList();
      AlertLifecycle.Step step = lifecycle.evaluate(due.domain(), before.getOrDefault(route.name(), GroupState.EMPTY), routed, silenced, now);
      after.put(route.name(), step.state());
      Optional<Notification> n = step.notification();
      if (n.isPresent()) {
        if (history == null) {
          history = repo.confirmations(due.domain(), now.minus(Duration.ofDays(400)));
        }
        List<Alert> quiet = step.state().alerts().stream().filter(Alert::silenced).toList();
        EmailComposer.Context ctx =
            new EmailComposer.Context(
                route.name(),
                route.to(),
                s.alerts().from(),
                s.alerts().publicUrl(),
                s.configPath(),
                domain.confirmations(),
                due.state().lastKnown(),
                history,
                quiet);
        emails.add(composer.compose(n.get(), ctx));
      }
      Instant wake = lifecycle.nextWake(step.state());
      if (wake != null && (dueAt == null || wake.isBefore(dueAt))) {
        dueAt = wake;
      }
    }
    return new AlertRepository.Evaluation(due.domain(), due.evaluation(), due.driftVersion(), after, dueAt, emails, now);
  }

  /** The configuration's maintenance windows and the stored silences that had not ended by {@code since}. */
  private List<SilenceRule> silences(Setup s, Instant since) {
    List<SilenceRule> all = new ArrayList<>();
    s.alerts().silences().forEach(c -> all.add(SilenceRule.of(c)));
    all.addAll(repo.silences(since));
    return all;
  }
}
