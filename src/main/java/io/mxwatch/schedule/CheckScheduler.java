package io.mxwatch.schedule;

import io.mxwatch.config.MxwatchConfig.Schedule;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz scheduler of the daemon: one job per domain (named by the domain), its trigger an
 * interval with the domain's fixed offset or a cron expression, all kept by Quartz's JDBC job
 * store in the history database so that the schedule survives restarts.
 *
 * <p>Misfires (the daemon was down, or a check outlasted its interval): an interval job skips to
 * its next slot, so after downtime each domain is checked once, within one interval, in its usual
 * spread instead of all at once; a cron job fires once at once and then keeps its times. Nothing
 * is replayed.
 */
public final class CheckScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckScheduler.class);
  private static final String DOMAINS = "domain";
  private static final String SYSTEM = "system";
  private static final JobKey HOUSEKEEPING = JobKey.jobKey("housekeeping", SYSTEM);
  private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

  private final Scheduler scheduler;
  private final Clock clock;
  private final JobCounters counters;

  /**
   * @param name the scheduler's name in the job store; daemons of one name on one database share
   *     its jobs
   * @param threads checks run at once
   * @param housekeepingInterval how often {@code housekeeping} runs
   */
  public record Settings(String name, int threads, Duration housekeepingInterval) {
    public static Settings defaults(int threads) {
      return new Settings("mxwatch", threads, Duration.ofHours(1));
    }
  }

  /** What a reconciliation did. */
  public record Reconciled(int added, int removed, int rescheduled, int unchanged) {}

  private CheckScheduler(Scheduler scheduler, Clock clock, JobCounters counters) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.counters = counters;
  }

  /**
   * Starts the scheduler over the job store in {@code db}. Jobs already in the store resume;
   * call {@link #reconcile} to bring them in line with the configuration.
   *
   * @param postgres whether {@code db} is PostgreSQL (else H2)
   */
  public static CheckScheduler start(
      DataSource db, boolean postgres, Settings settings, DomainTask task, Runnable housekeeping, Clock clock)
      throws SchedulerException {
    String dataSource = "mxwatch-store-" + DATA_SOURCES.incrementAndGet();
    DBConnectionManager.getInstance().addConnectionProvider(dataSource, new PoolProvider(db));
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", settings.name());
    // Clustered even on one node: a second daemon started on the same store (by mistake, or for
    // high availability on PostgreSQL) shares the jobs instead of checking every domain twice,
    // and a node killed mid-check has its jobs taken over.
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "10000");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", String.valueOf(Math.min(settings.threads(), 50)));
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(settings.threads()));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "mxwatch-check");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        postgres ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    JobCounters counters = new JobCounters();
    scheduler.setJobFactory(
        (bundle, s) -> {
          Class<?> type = bundle.getJobDetail().getJobClass();
          if (type == CheckJob.class) {
            return new CheckJob(task, counters);
          }
          if (type == HousekeepingJob.class) {
            return new HousekeepingJob(housekeeping);
          }
          throw new SchedulerException("no such mxwatch job: " + type.getName());
        });
    CheckScheduler checks = new CheckScheduler(scheduler, clock, counters);
    checks.scheduleHousekeeping(settings.housekeepingInterval());
    scheduler.start();
    return checks;
  }

  /**
   * Makes the jobs match {@code plan}: adds the domains not yet scheduled, deletes those no longer
   * planned (their history stays in the store), reschedules those whose schedule changed and
   * leaves the rest as they are.
   */
  public synchronized Reconciled reconcile(List<Planned> plan) throws SchedulerException {
    Instant now = clock.instant();
    Set<JobKey> existing = scheduler.getJobKeys(GroupMatcher.jobGroupEquals(DOMAINS));
    Map<JobDetail, Set<? extends Trigger>> added = new HashMap<>();
    int rescheduled = 0;
    int unchanged = 0;
    for (Planned planned : plan) {
      JobKey key = JobKey.jobKey(planned.domain(), DOMAINS);
      Trigger wanted = trigger(planned, now);
      Trigger current = existing.remove(key) ? scheduler.getTrigger(wanted.getKey()) : null;
      if (current == null) {
        added.put(JobBuilder.newJob(CheckJob.class).withIdentity(key).build(), Set.of(wanted));
      } else if (!sameSchedule(current, planned.schedule())) {
        scheduler.rescheduleJob(current.getKey(), wanted);
        rescheduled++;
      } else {
        unchanged++;
      }
    }
    if (!added.isEmpty()) {
      scheduler.scheduleJobs(added, true);
    }
    for (JobKey gone : existing) {
      scheduler.deleteJob(gone);
    }
    Reconciled result = new Reconciled(added.size(), existing.size(), rescheduled, unchanged);
    log.info(
        "schedule: {} domains ({} added, {} removed, {} rescheduled, {} unchanged)",
        plan.size(), result.added(), result.removed(), result.rescheduled(), result.unchanged());
    return result;
  }

  /** The domains that have a job, sorted. */
  public Set<String> scheduledDomains() throws SchedulerException {
    Set<String> out = new TreeSet<>();
    for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(DOMAINS))) {
      out.add(key.getName());
    }
    return out;
  }

  /** When {@code domain} is next checked; null when it has no job. */
  public Instant nextCheck(String domain) throws SchedulerException {
    Trigger t = scheduler.getTrigger(TriggerKey.triggerKey(domain, DOMAINS));
    return t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant();
  }

  public JobCounters counters() {
    return counters;
  }

  public boolean isRunning() throws SchedulerException {
    return scheduler.isStarted() && !scheduler.isInStandbyMode() && !scheduler.isShutdown();
  }

  /**
   * Stops firing, waits up to {@code grace} for the checks in flight, then shuts down. Checks
   * still running after that are abandoned: each is recorded in one transaction, so an abandoned
   * one leaves nothing behind.
   */
  public void shutdown(Duration grace) {
    try {
      if (scheduler.isShutdown()) {
        return;
      }
      scheduler.standby();
      long deadline = System.nanoTime() + grace.toNanos();
      int running = scheduler.getCurrentlyExecutingJobs().size();
      while (running > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50); // polling a condition with a deadline: Quartz offers no completion signal
        running = scheduler.getCurrentlyExecutingJobs().size();
      }
      if (running > 0) {
        log.warn("abandoning {} checks still running after {}s", running, grace.toSeconds());
        scheduler.shutdown(false);
      } else {
        scheduler.shutdown(true); // nothing running: this only waits for Quartz's own thread
      }
    } catch (SchedulerException e) {
      log.error("scheduler shutdown failed: {}", e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ZERO);
  }

  private void scheduleHousekeeping(Duration every) throws SchedulerException {
    JobDetail job = JobBuilder.newJob(HousekeepingJob.class).withIdentity(HOUSEKEEPING).build();
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(HOUSEKEEPING.getName(), SYSTEM)
            .startAt(Date.from(clock.instant().plus(Duration.ofMinutes(1))))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(every.toMillis())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    scheduler.scheduleJob(job, Set.of(trigger), true);
  }

  private static Trigger trigger(Planned planned, Instant now) {
    TriggerBuilder<Trigger> b = TriggerBuilder.newTrigger().withIdentity(planned.domain(), DOMAINS);
    return switch (planned.schedule()) {
      case Schedule.Every every ->
          b.startAt(Date.from(Jitter.firstSlot(planned.domain(), every.interval(), now)))
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(every.interval().toMillis())
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount())
              .build();
      case Schedule.Cron cron ->
          b.startAt(Date.from(now))
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(cron.expression())
                      .inTimeZone(TimeZone.getDefault())
                      .withMisfireHandlingInstructionFireAndProceed())
              .build();
    };
  }

  private static boolean sameSchedule(Trigger current, Schedule wanted) {
    return switch (wanted) {
      case Schedule.Every every ->
          current instanceof SimpleTrigger s && s.getRepeatInterval() == every.interval().toMillis();
      case Schedule.Cron cron ->
          current instanceof CronTrigger c
              && c.getCronExpression().equals(cron.expression())
              && c.getTimeZone().getID().equals(TimeZone.getDefault().getID());
    };
  }

  /** Hands Quartz connections from the store's pool. */
  private record PoolProvider(DataSource db) implements ConnectionProvider {
    @Override
    public Connection getConnection() throws SQLException {
      return db.getConnection();
    }

    @Override
    public void shutdown() {
      // the pool belongs to the store and is closed with it
    }

    @Override
    public void initialize() {}
  }
}
