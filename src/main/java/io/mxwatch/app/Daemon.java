package io.mxwatch.app;

import io.mxwatch.cli.Checker;
import io.mxwatch.cli.CheckerFactory;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.schedule.CheckScheduler;
import io.mxwatch.schedule.Planned;
import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: the store, the checker, the pipeline and the schedule, started in that
 * order and stopped in reverse. A reload swaps in a new configuration without a restart.
 */
final class Daemon implements io.mxwatch.cli.Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  private static final int MAX_THREADS = 1000;

  private final CheckerFactory checkers;
  private final Database database;
  private final HistoryStore store;
  private final CheckScheduler scheduler;
  private final ScheduledExecutorService retirements;
  private final Clock clock;
  private volatile MxwatchConfig config;
  private volatile CheckPipeline.Watching watching;

  private Daemon(CheckerFactory checkers, Database database, MxwatchConfig config, CheckPipeline.Watching watching, Clock clock)
      throws SchedulerException {
    this.checkers = checkers;
    this.database = database;
    this.store = new HistoryStore(database.dataSource());
    this.config = config;
    this.watching = watching;
    this.clock = clock;
    this.retirements =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mxwatch-retire");
              t.setDaemon(true);
              return t;
            });
    CheckPipeline pipeline = new CheckPipeline(() -> this.watching, store);
    this.scheduler =
        CheckScheduler.start(
            database.dataSource(),
            isPostgres(config),
            CheckScheduler.Settings.defaults(threads(config)),
            pipeline,
            this::housekeeping,
            clock);
  }

  /** Opens the store, starts the schedule and brings it in line with {@code config}. */
  static Daemon start(MxwatchConfig config, CheckerFactory checkers, Clock clock) throws ConfigException {
    Database database = Stores.open(config.store());
    Checker checker = null;
    try {
      checker = checkers.open(config);
      Daemon daemon = new Daemon(checkers, database, config, watching(checker, config), clock);
      daemon.scheduler.reconcile(plan(config));
      log.info(
          "mxwatch watching {} domains, store {}, {} checks at once",
          config.watch().domains().size(),
          Stores.describe(config.store()),
          threads(config));
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
    watching = watching(checker, next);
    config = next;
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
  }

  @Override
  public void close() {
    Duration grace = config.check().deadline().plus(config.smtp().probe().deadline());
    log.info("stopping: waiting up to {}s for checks in flight", grace.toSeconds());
    scheduler.shutdown(grace);
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

  private void housekeeping() {
    int deleted = store.purgeSnapshotsBefore(clock.instant().minus(config.store().retention()));
    if (deleted > 0) {
      log.info("retention: deleted {} snapshots older than {}", deleted, config.store().retention());
    }
  }

  /** Quartz worker threads: one per check running at once. */
  private static int threads(MxwatchConfig config) {
    return Math.min(config.check().concurrency(), MAX_THREADS);
  }

  private static List<Object> probing(MxwatchConfig c) {
    return List.of(c.dns(), c.smtp(), c.check());
  }

  private static CheckPipeline.Watching watching(Checker checker, MxwatchConfig config) {
    Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
    for (MxwatchConfig.Domain d : config.watch().domains()) {
      domains.put(d.name(), d);
    }
    return new CheckPipeline.Watching(checker, domains);
  }

  private static List<Planned> plan(MxwatchConfig config) {
    return config.watch().domains().stream().map(d -> new Planned(d.name(), d.schedule())).toList();
  }

  private static boolean isPostgres(MxwatchConfig config) {
    return config.store().url() != null && config.store().url().startsWith("jdbc:postgresql:");
  }
}
