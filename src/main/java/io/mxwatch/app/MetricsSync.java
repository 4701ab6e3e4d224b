package io.mxwatch.app;

import io.mxwatch.alert.AlertRepository;
import io.mxwatch.audit.Severity;
import io.mxwatch.audit.Status;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.metrics.DriftFigures;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the metrics in line with the store: the status and open changes of every watched domain
 * whose drift state moved (a check by any daemon, an approval from anywhere), and the outbox. Runs
 * on a timer, so a scrape never waits for the database.
 */
final class MetricsSync implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(MetricsSync.class);

  private final HistoryStore history;
  private final AlertStore alerts;
  private final Supplier<MxwatchConfig> config;
  private final Metrics metrics;
  private final Clock clock;

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
      Operations ops = new Operations(history, alerts, config.get(), clock);
      Map<String, Long> stored = history.versions();
      metrics.domains().versions().forEach(
          (domain, known) -> {
            Long now = stored.get(domain);
            if (now != null && now.longValue() != known) {
              HistoryStore.Overview o = history.overview(domain);
              if (o != null) {
                metrics.domains().drift(domain, figures(ops, o));
              }
            }
          });
      AlertRepository.OutboxSummary outbox = alerts.outbox(1);
      metrics.outbox(outbox.pending(), outbox.oldestPending());
    } catch (RuntimeException e) {
      log.warn("metrics not updated from the store: {}", e.getMessage());
    }
  }

  private static DriftFigures figures(Operations ops, HistoryStore.Overview o) {
    Map<Severity, Integer> open = new EnumMap<>(Severity.class);
    for (Change c : ops.open(o.domain(), o.state())) {
      open.merge(c.severity(), 1, Integer::sum);
    }
    double status = o.lastStatus() == null ? Double.NaN : Status.valueOf(o.lastStatus().toUpperCase(Locale.ROOT)).exitCode();
    return new DriftFigures(o.version(), status, o.lastCheckedAt(), open, o.state().failing(), o.lastChangeAt());
  }
}
