package io.mxwatch.schedule;

import io.mxwatch.config.MxwatchConfig.Schedule;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
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
 * The daemon's schedule. Quartz, with its JDBC job store in the history database (clustered, so
 * daemons sharing a store share the work and take over from one that died), fires a few coarse
 * jobs: one per ten-second slot of each interval in use ({@link Slot}) and one per cron
 * expression. When a slot's job fires, a little ahead of its window, the {@link Dispatcher}
 * starts each domain of the window at its own fixed offset, in memory. So Quartz's work grows with
 * the number of slots (30 for 5 minutes), not with the number of domains.
 *
 * <p>Promises: a domain keeps its offset across restarts, reloads and nodes (it is derived from its
 * name); it never has two checks at a time (its slot's job runs on one node at a time and ends
 * when its checks are over); what was due while no daemon ran is not replayed (a late firing
 * starts only what is at most {@link SlotJob#GRACE} late; a cron job fires once at once); a daemon
 * that starts in the middle of a window checks the rest of that window at once.
 */
public final class CheckScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckScheduler.class);
  private static final String SLOTS = "slots";
  private static final String SYSTEM = "system";
  private static final JobKey HOUSEKEEPING = JobKey.jobKey("housekeeping", SYSTEM);
  private static final AtomicInteger DATA_SOURCES = new AtomicInteger();
  /** Quartz threads: slot jobs running at once (each waits for its window's checks). */
  private static final int JOB_THREADS = 32;
  /** How far ahead the scheduler takes due slots (under the time between two slots). */
  static final Duration LOOK_AHEAD = Duration.ofSeconds(2);

  private final Scheduler scheduler;
  private final Clock clock;
  private final JobCounters counters;
  private final Dispatcher dispatcher;
  private final Duration longestCheck;
  private final DomainTask task;
  private volatile SchedulePlan plan = SchedulePlan.EMPTY;
  /** The latest window each slot's job dispatched in this process. */
  private final java.util.Map<String, Long> windowsRun = new java.util.concurrent.ConcurrentHashMap<>();
  private boolean started;

  /**
   * @param name the scheduler's name in the job store; daemons of one name on one database share
   *     its jobs
   * @param concurrency checks running at once
   * @param longestCheck the longest a check can take: a slot's job waits that long past its window
   * @param housekeepingInterval how often {@code housekeeping} runs
   */
  public record Settings(String name, int concurrency, Duration longestCheck, Duration housekeepingInterval) {
    public static Settings defaults(int concurrency, Duration longestCheck) {
      return new Settings("mxwatch", concurrency, longestCheck, Duration.ofHours(1));
    }
  }

  /**
   * What a reconciliation did: to the domains (against the previous plan of this process) and to
   * the jobs in the store.
   */
  public record Reconciled(int added, int removed, int rescheduled, int unchanged, int jobsAdded, int jobsRemoved, int jobsKept) {}

  private CheckScheduler(Scheduler scheduler, Clock clock, JobCounters counters, DomainTask task, Settings settings) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.counters = counters;
    this.task = task;
    this.dispatcher = new Dispatcher(task, settings.concurrency(), counters, clock);
    this.longestCheck = settings.longestCheck();
  }

  /**
   * Sets up the scheduler over the job store in {@code db}. It starts firing with the first {@link
   * #reconcile}, once it knows the domains.
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
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
    // How far ahead a node takes the next due slot, and how often an idle node looks. Quartz's 30 s
    // default lets the node that fired the last slot take the next two as well, so one node of a
    // cluster would fire every slot while the others idle; at 2 s (under the ten seconds between
    // slots) every slot goes to whichever node looks first, and the nodes share the slots.
    p.setProperty("org.quartz.scheduler.idleWaitTime", String.valueOf(LOOK_AHEAD.toMillis()));
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(JOB_THREADS));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "mxwatch-slot");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        postgres ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", String.valueOf(SlotJob.GRACE.toMillis()));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    CheckScheduler checks = new CheckScheduler(scheduler, clock, new JobCounters(), task, settings);
    scheduler.setJobFactory(
        (bundle, s) -> {
          Class<?> type = bundle.getJobDetail().getJobClass();
          if (type == SlotJob.class) {
            return new SlotJob(checks);
          }
          if (type == HousekeepingJob.class) {
            return new HousekeepingJob(housekeeping);
          }
          throw new SchedulerException("no such mxwatch job: " + type.getName());
        });
    checks.scheduleHousekeeping(settings.housekeepingInterval());
    return checks;
  }

  /**
   * Makes the schedule match {@code planned}: the plan in memory is replaced at once, then the jobs
   * in the store are brought in line (slots and cron expressions no longer used are deleted, new
   * ones added). The first call starts firing, and resumes every window in progress.
   */
  public synchronized Reconciled reconcile(List<Planned> planned) throws SchedulerException {
    Instant now = clock.instant();
    SchedulePlan next = SchedulePlan.of(planned);
    SchedulePlan.Changes changes = plan.changesTo(next);
    plan = next;
    Set<JobKey> existing = new HashSet<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SLOTS)));
    int added = 0;
    int kept = 0;
    for (SchedulePlan.Job job : next.jobs().values()) {
      JobKey key = JobKey.jobKey(job.name(), SLOTS);
      boolean isNew = !existing.remove(key) && add(job, now);
      if (isNew) {
        added++;
      } else {
        keep(job, now);
        kept++;
      }
      if ((isNew || !started) && job instanceof SchedulePlan.Job.Every every) {
        resume(key, every.slot(), now);
      }
    }
    for (JobKey gone : existing) {
      remove(gone);
    }
    if (!started) {
      scheduler.start();
      started = true;
    }
    Reconciled result =
        new Reconciled(changes.added(), changes.removed(), changes.rescheduled(), changes.unchanged(), added, existing.size(), kept);
    log.info(
        "schedule: {} domains in {} jobs ({} added, {} removed, {} rescheduled, {} unchanged; jobs {} added, {} removed, {} kept)",
        next.size(), next.jobs().size(), result.added(), result.removed(), result.rescheduled(), result.unchanged(),
        result.jobsAdded(), result.jobsRemoved(), result.jobsKept());
    return result;
  }

  /** The domains in the schedule, sorted. */
  public Set<String> scheduledDomains() {
    return new TreeSet<>(plan.schedules().keySet());
  }

  /** When {@code domain} is next due; null when it is not in the schedule. */
  public Instant nextCheck(String domain) {
    Schedule schedule = plan.schedule(domain);
    Instant now = clock.instant();
    return switch (schedule) {
      case null -> null;
      case Schedule.Every every -> Jitter.firstSlot(domain, every.interval(), now);
      case Schedule.Cron cron -> {
        try {
          CronExpression e = new CronExpression(cron.expression());
          e.setTimeZone(TimeZone.getDefault());
          Date next = e.getNextValidTimeAfter(Date.from(now));
          yield next == null ? null : next.toInstant();
        } catch (ParseException ex) {
          throw new IllegalStateException("not a cron expression: " + cron.expression(), ex);
        }
      }
    };
  }

  public JobCounters counters() {
    return counters;
  }

  /** Checks running now. */
  public int running() {
    return dispatcher.running();
  }

  public boolean isRunning() throws SchedulerException {
    return scheduler.isStarted() && !scheduler.isInStandbyMode() && !scheduler.isShutdown();
  }

  SchedulePlan plan() {
    return plan;
  }

  Dispatcher dispatcher() {
    return dispatcher;
  }

  Duration longestCheck() {
    return longestCheck;
  }

  DomainTask task() {
    return task;
  }

  /**
   * Notes that job {@code name} dispatches window {@code k} in this process.
   *
   * @return the window it dispatched here before; -1 when none
   */
  long ranWindow(String name, long k) {
    Long before = windowsRun.put(name, k);
    return before == null ? -1 : before;
  }

  /**
   * Stops firing, drops the checks not yet started, waits up to {@code grace} for those running,
   * then shuts down. Checks still running after that are abandoned: each is recorded in one
   * transaction, so an abandoned one leaves nothing behind.
   */
  public void shutdown(Duration grace) {
    try {
      if (scheduler.isShutdown()) {
        return;
      }
      scheduler.standby();
      boolean idle = dispatcher.close(grace);
      if (!idle) {
        log.warn("abandoning {} checks still running after {}s", dispatcher.running(), grace.toSeconds());
      }
      // the slot jobs end as soon as their checks are over or dropped
      scheduler.shutdown(idle);
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

  /**
   * When the window of {@code slot} in progress has begun (or begins within its lead), a one-shot
   * trigger checks what is still due in it now: a daemon that starts mid-window, or a slot added
   * by a reload, does not wait a whole interval for those domains. The slot's covered-until mark
   * keeps it from starting anything twice.
   */
  /**
   * Stores a job with its trigger in one transaction. False if the job exists: daemons started
   * together on one store reconcile the same plan at the same moment, and the one that comes
   * second keeps what the first one stored.
   */
  boolean add(SchedulePlan.Job job, Instant now) throws SchedulerException {
    JobDetail detail = JobBuilder.newJob(SlotJob.class).withIdentity(job.name(), SLOTS).storeDurably().build();
    try {
      scheduler.scheduleJob(detail, trigger(job, now));
      return true;
    } catch (ObjectAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * Deletes a job the plan no longer has. Daemons started together on one store delete the same
   * jobs at the same moment, and Quartz fails the one that finds a trigger gone under it: that is
   * done, not an error. A job that stays finds no domains in the plan, and the next reload tries
   * again.
   */
  void remove(JobKey job) throws SchedulerException {
    try {
      scheduler.deleteJob(job);
    } catch (SchedulerException e) {
      if (scheduler.checkExists(job)) {
        log.warn("schedule: could not remove job {} (it checks nothing now; the next reload tries again): {}", job.getName(), e.getMessage());
      }
    }
  }

  /**
   * Gives an existing job the trigger {@code job} needs, leaving its data (the windows it covered)
   * alone. The trigger is swapped in one step, so another node doing the same at once finds either
   * trigger, never none.
   */
  void keep(SchedulePlan.Job job, Instant now) throws SchedulerException {
    TriggerKey key = TriggerKey.triggerKey(job.name(), SLOTS);
    Trigger current = scheduler.getTrigger(key);
    if (current != null && sameSchedule(current, job)) {
      return;
    }
    if (current == null || scheduler.rescheduleJob(key, trigger(job, now)) == null) {
      try {
        scheduler.scheduleJob(trigger(job, now));
      } catch (ObjectAlreadyExistsException e) {
        // another node scheduled it in between
      }
    }
  }

  private void resume(JobKey job, Slot slot, Instant now) throws SchedulerException {
    long k = slot.currentWindow(now);
    if (now.isBefore(slot.windowStart(k).minusMillis(slot.leadMs()))) {
      return; // the regular trigger fires for it in time
    }
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(job.getName() + "-resume-" + k, SLOTS)
            .forJob(job)
            .usingJobData(SlotJob.RESUME_WINDOW, String.valueOf(k))
            .startAt(Date.from(now))
            .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    if (scheduler.checkExists(trigger.getKey())) {
      return; // already asked for by this or another node
    }
    try {
      scheduler.scheduleJob(trigger);
    } catch (ObjectAlreadyExistsException e) {
      // another node added it at the same moment
    }
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

  /** The regular trigger of a job: a slot's lead before each of its windows, or the cron times. */
  private static Trigger trigger(SchedulePlan.Job job, Instant now) {
    TriggerBuilder<Trigger> b = TriggerBuilder.newTrigger().withIdentity(job.name(), SLOTS).forJob(job.name(), SLOTS);
    return switch (job) {
      case SchedulePlan.Job.Every every ->
          b.startAt(Date.from(every.slot().firstFire(now)))
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(every.slot().intervalMs())
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount())
              .build();
      case SchedulePlan.Job.Cron cron ->
          b.startAt(Date.from(now))
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(cron.expression())
                      .inTimeZone(TimeZone.getTimeZone(cron.timeZone()))
                      .withMisfireHandlingInstructionFireAndProceed())
              .build();
    };
  }

  /** Whether {@code current} fires as {@code job} needs: same interval and alignment, or same cron. */
  private static boolean sameSchedule(Trigger current, SchedulePlan.Job job) {
    return switch (job) {
      case SchedulePlan.Job.Every every -> {
        Slot slot = every.slot();
        yield current instanceof SimpleTrigger s
            && s.getRepeatInterval() == slot.intervalMs()
            && Math.floorMod(s.getStartTime().getTime() + slot.leadMs() - slot.startMs(), slot.intervalMs()) == 0;
      }
      case SchedulePlan.Job.Cron cron ->
          current instanceof CronTrigger c
              && c.getCronExpression().equals(cron.expression())
              && c.getTimeZone().getID().equals(cron.timeZone());
    };
  }

  /** For tests: the jobs in the store, by name. */
  Set<String> storedJobs() throws SchedulerException {
    Set<String> out = new TreeSet<>();
    for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SLOTS))) {
      out.add(key.getName());
    }
    return out;
  }

  /** For tests: when the trigger stored for job {@code name} fires next; null without one. */
  Instant storedNextFire(String name) throws SchedulerException {
    Trigger t = scheduler.getTrigger(TriggerKey.triggerKey(name, SLOTS));
    return t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant();
  }

  /** The plan's jobs with their domains, for logs and tests. */
  Map<String, SchedulePlan.Job> plannedJobs() {
    return plan.jobs();
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
