package io.mxwatch.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Periodic upkeep of the store (retention); failures are logged, never fatal. */
@DisallowConcurrentExecution
final class HousekeepingJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(HousekeepingJob.class);

  private final Runnable work;

  HousekeepingJob(Runnable work) {
    this.work = work;
  }

  @Override
  public void execute(JobExecutionContext context) {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.error("housekeeping failed: {}", e.toString(), e);
    }
  }
}
