package io.mxwatch.app;

import io.mxwatch.alert.AlertCounters;
import io.mxwatch.alert.AlertEngine;
import io.mxwatch.alert.AlertService;
import io.mxwatch.alert.OutboxSender;
import io.mxwatch.alert.RelaySender;
import io.mxwatch.cli.Checker;
import io.mxwatch.cli.CheckerFactory;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.schedule.CheckScheduler;
import io.mxwatch.schedule.Planned;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.GroupCommit;
import io.mxwatch.store.RepeatedChecks;
import io.mxwatch.store.Stores;
import io.mxwatch.http.HttpApi;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.net.IpText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: the store, the checker, the pipeline, the schedule and alerting, started in
 * that order and stopped in reverse. A reload swaps in a new configuration without a restart.
 */
final class Daemon implements io.mxwatch.cli.Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  /** Threads that record checks in the store (the checks themselves wait on no thread). */
  private static final int RECORDERS = 4;
  /** How long a check to record waits for others to share its transaction. */
  private static final Duration GROUP_LINGER = Duration.ofMillis(20);
  /** How often the H2 file gives back the space of rewritten pages, and for how long at most. */
  private static final Duration COMPACT_TICK = Duration.ofSeconds(30);

  private static final Duration COMPACT_BUDGET = Duration.ofMillis(500);
  /** How often repeated checks are written, in one batch, when the batch is small ({@link RepeatedChecks#flushIfDue}). */
  private static final Duration REPEATS_TICK = Duration.ofSeconds(5);
  /** How often alerting evaluates what is due and drains the outbox. */
  private static final Duration ALERT_TICK = Duration.ofSeconds(2);
  /** How often the metrics are brought in line with the store. */
  private static final Duration METRICS_TICK = Duration.ofSeconds(5);

  private final CheckerFactory checkers;
  private final Database database;
  private final HistoryStore store;
  private final RepeatedChecks repeats;
  private final GroupCommit commits;
  private final ExecutorService recorders;
  private final CheckPipeline pipeline;
  private final CheckScheduler scheduler;
  private final ScheduledExecutorService retirements;
  private final Clock clock;
  private final Path configFile;
  private final AlertStore alertStore;
  private final AlertCounters alertCounters = new AlertCounters();
  private final OutboxSender outboxSender;
  private final AlertService alerts;
  private final Metrics metrics;
  private final ScheduledExecutorService metricsTimer;
  private volatile HttpApi http;
  private volatile MxwatchConfig config;
  private volatile CheckPipeline.Watching watching;
  private volatile AlertEngine.Setup alertSetup;
  private volatile RelaySender relay;

  private Daemon(
      CheckerFactory checkers, Database database, MxwatchConfig config, Path configFile, CheckPipeline.Watching watching, Clock clock)
      throws SchedulerException {
    this.checkers = checkers;
    this.database = database;
    this.store = new HistoryStore(database.dataSource());
    this.alertStore = new AlertStore(database.dataSource());
    this.config = config;
    this.configFile = configFile;
    this.watching = watching;
    this.clock = clock;
    this.metrics = new Metrics(clock);
    metrics.bind(alertCounters);
    String owner = "mxwatch-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    // a claim outlives any send: connect, greeting, AUTH, DATA, each within the relay timeout
    Duration lease = config.alerts().relay() == null ? Duration.ofMinutes(2) : config.alerts().relay().timeout().multipliedBy(4).plusSeconds(10);
    this.outboxSender = new OutboxSender(alertStore, () -> relay, clock, owner, lease, OutboxSender.Backoff.DEFAULT, alertCounters);
    this.alerts =
        new AlertService(
            new AlertEngine(alertStore, () -> alertSetup, clock, alertCounters), outboxSender, () -> relay != null, singleThread("mxwatch-alerts"), ALERT_TICK);
    applyAlerts(config);
    this.retirements = singleThread("mxwatch-retire");
    this.metricsTimer = singleThread("mxwatch-metrics");
    this.repeats = new RepeatedChecks(database.dataSource());
    this.recorders = Executors.newFixedThreadPool(RECORDERS, threads("mxwatch-record"));
    this.commits = new GroupCommit(store, GROUP_LINGER);
    this.pipeline = new CheckPipeline(() -> this.watching, store, commits, repeats, metrics, recorders);
    this.scheduler =
        CheckScheduler.start(
            database.dataSource(),
            isPostgres(config),
            CheckScheduler.Settings.defaults(config.check().concurrency(), longestCheck(config)),
            pipeline,
            this::housekeeping,
            clock);
    metrics.bind(scheduler.counters());
    watchMetrics(config);
  }

  /** {@link #start(MxwatchConfig, Path, CheckerFactory, Clock, Supplier)} without reloads over HTTP. */
  static Daemon start(MxwatchConfig config, Path configFile, CheckerFactory checkers, Clock clock) throws ConfigException {
    return start(
        config, configFile, checkers, clock, () -> CompletableFuture.failedFuture(new ConfigException("reloading is not available here")));
  }

  /**
   * Opens the store, starts the schedule and brings it in line with {@code config}, then listens
   * for HTTP.
   *
   * @param reload what {@code POST /-/reload} asks for
   */
  static Daemon start(MxwatchConfig config, Path configFile, CheckerFactory checkers, Clock clock, Supplier<CompletableFuture<Void>> reload)
      throws ConfigException {
    Database database = Stores.open(config.store());
    Checker checker = null;
    try {
      checker = checkers.open(config);
      Daemon daemon = new Daemon(checkers, database, config, configFile, watching(checker, config), clock);
      daemon.scheduler.reconcile(plan(config));
      daemon.alerts.start();
      MetricsSync sync = new MetricsSync(daemon.store, daemon.alertStore, () -> daemon.config, daemon.metrics, clock);
      daemon.metricsTimer.scheduleWithFixedDelay(sync, 0, METRICS_TICK.toMillis(), TimeUnit.MILLISECONDS);
      daemon.metricsTimer.scheduleWithFixedDelay(daemon::writeRepeats, REPEATS_TICK.toMillis(), REPEATS_TICK.toMillis(), TimeUnit.MILLISECONDS);
      daemon.metricsTimer.scheduleWithFixedDelay(daemon::compact, COMPACT_TICK.toMillis(), COMPACT_TICK.toMillis(), TimeUnit.MILLISECONDS);
      try {
        daemon.listen(reload);
      } catch (ConfigException e) {
        daemon.close();
        throw e;
      }
      log.info(
          "mxwatch watching {} domains, store {}, {} checks at once, http://{}/metrics",
          config.watch().domains().size(),
          Stores.describe(config.store()),
          config.check().concurrency(),
          IpText.hostPort(daemon.http.address()));
      if (config.watch().domains().isEmpty()) {
        log.warn("no domains configured: add some under 'domains' or 'domains_file' and reload");
      }
      return daemon;
    } catch (SchedulerException | RuntimeException e) {
      if (checker != null) {
        checker.close();
      }
      database.close();
      throw new ConfigException("cannot start the schedule: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void reload(MxwatchConfig next) throws ConfigException {
    MxwatchConfig previous = config;
    if (!Objects.equals(next.store(), previous.store())) {
      log.warn("store settings changed: they take effect after a restart");
    }
    if (!Objects.equals(next.http(), previous.http())) {
      log.warn("http settings changed: they take effect after a restart");
    }
    Checker checker = watching.checker();
    Checker retired = null;
    if (!probing(next).equals(probing(previous))) {
      retired = checker;
      checker = checkers.open(next);
    }
    CheckPipeline.Watching before = watching;
    watching = watching(checker, next);
    config = next;
    pipeline.forget(changedDomains(before, watching));
    if (!next.alerts().equals(previous.alerts()) || !next.watch().equals(previous.watch())) {
      applyAlerts(next);
    }
    watchMetrics(next);
    if (retired != null) {
      // checks in flight finish with the old settings; close it once they cannot be running
      Checker old = retired;
      Duration longest = previous.check().deadline().plus(previous.smtp().probe().deadline()).plusSeconds(5);
      retirements.schedule(old::close, longest.toMillis(), TimeUnit.MILLISECONDS);
    }
    try {
      scheduler.reconcile(plan(next));
    } catch (SchedulerException e) {
      throw new ConfigException("reloaded, but the schedule could not be updated: " + e.getMessage(), e);
    }
    metrics.reloaded(true, clock.instant());
  }

  @Override
  public void reloadRejected() {
    metrics.reloaded(false, clock.instant());
  }

  @Override
  public void close() {
    Duration grace = config.check().deadline().plus(config.smtp().probe().deadline());
    log.info("stopping: waiting up to {}s for checks in flight", grace.toSeconds());
    if (http != null) {
      http.close();
    }
    scheduler.shutdown(grace);
    recorders.shutdown();
    try {
      if (!recorders.awaitTermination(grace.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
        log.warn("checks still being recorded after {}s are abandoned", grace.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commits.close();
    metricsTimer.shutdownNow();
    writeRepeats(true);
    alerts.close();
    retirements.shutdownNow();
    watching.checker().close();
    database.close();
    log.info("stopped");
  }

  CheckScheduler scheduler() {
    return scheduler;
  }

  HistoryStore store() {
    return store;
  }

  AlertService alerts() {
    return alerts;
  }

  AlertCounters alertCounters() {
    return alertCounters;
  }

  Metrics metrics() {
    return metrics;
  }

  /** Where the HTTP API listens. */
  InetSocketAddress httpAddress() {
    return http.address();
  }

  /** Starts the HTTP listener of {@code http.listen}. */
  private void listen(Supplier<CompletableFuture<Void>> reload) throws ConfigException {
    InetSocketAddress address = config.http().listen();
    HttpApi.Backend backend = new HttpApi.Backend(metrics, store, alertStore, () -> config, clock, this::problems, reload);
    try {
      http = HttpApi.start(address, backend);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot listen on " + IpText.hostPort(address) + " (http.listen): " + e.getMessage(), e);
    }
  }

  /** Why the daemon cannot do its work now; empty when it can (GET /-/ready). */
  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    try (Connection c = database.dataSource().getConnection()) {
      if (!c.isValid(2)) {
        problems.add("the store does not answer");
      }
    } catch (SQLException | RuntimeException e) {
      problems.add("the store cannot be reached: " + e.getMessage());
    }
    try {
      if (!scheduler.isRunning()) {
        problems.add("the scheduler is not running");
      }
    } catch (SchedulerException e) {
      problems.add("the scheduler failed: " + e.getMessage());
    }
    return problems;
  }

  /** The metrics export the domains of {@code c}, and only those. */
  private void watchMetrics(MxwatchConfig c) {
    Map<String, Duration> intervals = new java.util.HashMap<>(c.watch().domains().size() * 2);
    Instant now = clock.instant();
    Map<MxwatchConfig.Schedule, Duration> each = new java.util.HashMap<>();
    c.watch().domains().forEach(d -> intervals.put(d.name(), each.computeIfAbsent(d.schedule(), s -> Planned.interval(s, now))));
    metrics.domains().watch(intervals, now);
    metrics.domains().detail(c.metrics().domainSeries(), c.metrics().maxDetailedDomains());
    metrics.watched(intervals.size());
  }

  /** Writes the repeated checks waiting, if their batch is due; a failure keeps them for the next batch. */
  private void writeRepeats() {
    writeRepeats(false);
  }

  private void writeRepeats(boolean all) {
    try {
      if (all) {
        repeats.flush();
      } else {
        repeats.flushIfDue();
      }
    } catch (RuntimeException e) {
      log.warn("repeated checks not written, retried with the next batch: {}", e.getMessage());
    }
  }

  private void compact() {
    try {
      database.compact(COMPACT_BUDGET);
    } catch (RuntimeException e) {
      log.warn("{}", e.getMessage());
    }
  }

  /** Domains whose settings (schedule, confirmations, expectations) differ between two watches, or that left. */
  private static List<String> changedDomains(CheckPipeline.Watching before, CheckPipeline.Watching after) {
    List<String> out = new ArrayList<>();
    before.domains().forEach(
        (name, d) -> {
          if (!d.equals(after.domains().get(name))) {
            out.add(name);
          }
        });
    return out;
  }

  /** Alerting with {@code c}'s settings; used from the next tick on. */
  private void applyAlerts(MxwatchConfig c) {
    Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
    c.watch().domains().forEach(d -> domains.put(d.name(), d));
    MxwatchConfig.Alerts a = c.alerts();
    boolean relayChanged = relay != null && a.enabled() && !a.relay().equals(alertSetup.alerts().relay());
    relay = a.enabled() ? new RelaySender(a.relay(), a.from()) : null;
    if (relayChanged) {
      // the relay may have been fixed: what waits goes out now, not after its backoff
      alertStore.retryAllNow(clock.instant());
      outboxSender.relayChanged();
    }
    alertSetup = new AlertEngine.Setup(a, domains, configFile == null ? null : configFile.toString());
    if (a.enabled()) {
      log.info(
          "alerts by email from {} through {}:{} ({}), {}",
          a.from(),
          a.relay().host(),
          a.relay().port(),
          a.relay().tls().name().toLowerCase(Locale.ROOT),
          a.routes().isEmpty() ? "to " + String.join(", ", a.to()) : a.routes().size() + " routes");
    } else {
      log.info("alert emails are off (no alerts.relay configured)");
    }
  }

  private static ScheduledExecutorService singleThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(threads(name));
  }

  private static java.util.concurrent.ThreadFactory threads(String name) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, n.incrementAndGet() == 1 ? name : name + "-" + n.get());
      t.setDaemon(true);
      return t;
    };
  }

  private void housekeeping() {
    Instant cutoff = clock.instant().minus(config.store().retention());
    int deleted = store.purgeSnapshotsBefore(cutoff);
    int emails = alertStore.purgeSentBefore(cutoff);
    if (deleted > 0 || emails > 0) {
      log.info("retention: deleted {} snapshots and {} sent alert emails older than {}", deleted, emails, config.store().retention());
    }
    int events = store.purgeEventsBefore(clock.instant().minus(config.store().eventRetention()));
    if (events > 0) {
      log.info("retention: deleted {} change events confirmed more than {} ago", events, config.store().eventRetention());
    }
  }

  /** The longest one check can take: its DNS deadline, then SMTP probes within theirs. */
  private static Duration longestCheck(MxwatchConfig config) {
    return config.check().deadline().plus(config.smtp().probe().deadline()).plusSeconds(5);
  }

  private static List<Object> probing(MxwatchConfig c) {
    return List.of(c.dns(), c.smtp(), c.check());
  }

  private static CheckPipeline.Watching watching(Checker checker, MxwatchConfig config) {
    Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
    for (MxwatchConfig.Domain d : config.watch().domains()) {
      domains.put(d.name(), d);
    }
    return new CheckPipeline.Watching(checker, domains, config.check().inconsistentAfter());
  }

  private static List<Planned> plan(MxwatchConfig config) {
    return config.watch().domains().stream().map(d -> new Planned(d.name(), d.schedule())).toList();
  }

  private static boolean isPostgres(MxwatchConfig config) {
    return config.store().url() != null && config.store().url().startsWith("jdbc:postgresql:");
  }
}
