package io.mxwatch.app;

import io.mxwatch.alert.AlertRepository;
import io.mxwatch.audit.Status;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Expectations;
import io.mxwatch.metrics.DriftFigures;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the metrics in line with the store, for what this process did not do itself: approvals
 * from anywhere, checks by another daemon on a shared store. Every tick it reads the domains whose
 * state was written since the last tick (an indexed read, by the store's clock); every {@link
 * #FULL_EVERY} it reads every domain's columns (versions and last-check times, no JSON). A domain's state JSON is read only
 * when it may have something open. Runs on a timer, so a scrape never waits for the database.
 */
final class MetricsSync implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(MetricsSync.class);
  /** How often every domain is read again (last-check times of other daemons' checks). */
  static final Duration FULL_EVERY = Duration.ofMinutes(5);
  /** Overlap of the incremental reads: a transaction may commit a little after its timestamp. */
  private static final Duration OVERLAP = Duration.ofSeconds(10);

  private final HistoryStore history;
  private final AlertStore alerts;
  private final Supplier<MxwatchConfig> config;
  private final Metrics metrics;
  private final Clock clock;
  private Instant lastFull;
  private Instant changedUpTo;

  MetricsSync(HistoryStore history, AlertStore alerts, Supplier<MxwatchConfig> config, Metrics metrics, Clock clock) {
    this.history = history;
    this.alerts = alerts;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      Instant now = clock.instant();
      MxwatchConfig c = config.get();
      Operations ops = new Operations(history, alerts, c, clock);
      boolean full = lastFull == null || !now.isBefore(lastFull.plus(FULL_EVERY));
      Instant readAt = history.now(); // the store's clock, which wrote changed_at
      java.util.function.Consumer<HistoryStore.Listed> apply =
          row -> {
            Long version = metrics.domains().version(row.domain());
            if (version == null) {
              return; // not watched
            }
            metrics.domains().lastCheck(row.domain(), row.lastCheckedAt());
            if (row.version() > version) {
              metrics.domains().drift(row.domain(), figures(ops, row));
            }
          };
      if (full) {
        history.list(HistoryStore.Filter.ALL, null, Integer.MAX_VALUE, apply);
        lastFull = now;
      } else if (changedUpTo != null) {
        history.changedSince(changedUpTo.minus(OVERLAP), apply);
      }
      changedUpTo = readAt;
      AlertRepository.OutboxSummary outbox = alerts.outbox(1);
      metrics.outbox(outbox.pending(), outbox.oldestPending());
    } catch (RuntimeException e) {
      log.warn("metrics not updated from the store: {}", e.getMessage());
    }
  }

  /**
   * The figures of a stored domain: from its columns alone when nothing can be open (no open
   * change when it was written, no expectation configured), else from its state.
   */
  private DriftFigures figures(Operations ops, HistoryStore.Listed row) {
    Status status = row.lastStatus() == null ? null : Status.valueOf(row.lastStatus().toUpperCase(Locale.ROOT));
    boolean expects = !ops.expectations(row.domain()).equals(Expectations.NONE);
    if (row.openChanges() != null && row.openChanges() == 0 && !expects) {
      return DriftFigures.of(row.version(), status, row.lastCheckedAt(), List.of(), false, row.lastChangeAt());
    }
    HistoryStore.Loaded loaded = history.load(row.domain());
    return DriftFigures.of(loaded.version(), status, row.lastCheckedAt(), ops.open(row.domain(), loaded.state()), loaded.state().failing(), row.lastChangeAt());
  }
}
