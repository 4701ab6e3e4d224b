package io.mxwatch.app;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.cli.Checker;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.metrics.CheckFigures;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.drift.Observation;
import io.mxwatch.schedule.DomainTask;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.StoreException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled check of a domain, as a straight line: snapshot and audit → observation → drift
 * step against the stored state → recorded in one transaction. Logs one line per check and one per
 * confirmed change.
 */
final class CheckPipeline implements DomainTask {
  private static final Logger log = LoggerFactory.getLogger("io.mxwatch.check");
  private static final int ATTEMPTS = 5;

  /** What the daemon currently watches, and with what; replaced as a whole on reload. */
  record Watching(Checker checker, Map<String, MxwatchConfig.Domain> domains) {
    Watching {
      domains = Map.copyOf(domains);
    }
  }

  private final Supplier<Watching> watching;
  private final HistoryStore store;
  private final Metrics metrics;

  CheckPipeline(Supplier<Watching> watching, HistoryStore store, Metrics metrics) {
    this.watching = watching;
    this.store = store;
    this.metrics = metrics;
  }

  @Override
  public void run(String name) {
    Watching now = watching.get();
    MxwatchConfig.Domain domain = now.domains().get(name);
    if (domain == null) {
      log.debug("{} is no longer watched; check skipped", name);
      return;
    }
    CheckResult result;
    DriftEngine.Step step;
    try {
      result = now.checker().check(name);
      step = record(domain, result);
    } catch (RuntimeException e) {
      metrics.checkFailed();
      throw e;
    }
    metrics.checked(result);
    metrics.domains().checked(name, CheckFigures.of(result));
    for (DriftEngine.ChangeEvent event : step.events()) {
      log.warn("{} change confirmed: {}", name, event.change());
    }
    int open = new DriftEngine(domain.confirmations()).open(step.state(), domain.expect()).size();
    log.info(
        "{} {} in {}s, {} new changes, {} open",
        name,
        result.status().label(),
        String.format(Locale.ROOT, "%.2f", result.snapshot().durationMs() / 1000),
        step.events().size(),
        open);
    if (log.isDebugEnabled()) {
      log.debug("{} findings: {}", name, result.audit().findings().stream().map(f -> f.code().name()).toList());
      log.debug(
          "{} smtp: {}", name, result.snapshot().smtp().stream().map(p -> p.address() + " " + p.outcome() + " " + Math.round(p.elapsedMs()) + "ms").toList());
    }
  }

  /** Steps the drift engine from the stored state and records the result; retried when an approval got in between. */
  private DriftEngine.Step record(MxwatchConfig.Domain domain, CheckResult result) {
    Observation observation = Observation.of(result);
    DriftEngine engine = new DriftEngine(domain.confirmations());
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      HistoryStore.Loaded loaded = store.load(domain.name());
      DriftEngine.Step step = engine.step(loaded.state(), observation, domain.expect(), result.snapshot().checkedAt());
      if (store.record(domain.name(), loaded.version(), result, observation, step)) {
        return step;
      }
    }
    throw new StoreException("recording the check of " + domain.name() + " failed: its state kept changing", null);
  }
}
