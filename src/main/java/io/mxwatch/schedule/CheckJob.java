package io.mxwatch.schedule;

import java.time.Duration;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job of one domain (the job's name is the domain). Never two at a time for one domain; a
 * failure is logged with the domain and counted, and never reaches the scheduler.
 */
@DisallowConcurrentExecution
final class CheckJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(CheckJob.class);

  private final DomainTask task;
  private final JobCounters counters;

  CheckJob(DomainTask task, JobCounters counters) {
    this.task = task;
    this.counters = counters;
  }

  @Override
  public void execute(JobExecutionContext context) {
    String domain = context.getJobDetail().getKey().getName();
    if (context.getScheduledFireTime() != null && context.getFireTime() != null) {
      counters.started(Duration.ofMillis(context.getFireTime().getTime() - context.getScheduledFireTime().getTime()));
    }
    try {
      task.run(domain);
      counters.succeeded();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      counters.failed();
      log.warn("check of {} abandoned: the scheduler is shutting down", domain);
    } catch (Exception | Error e) {
      counters.failed();
      log.error("check of {} failed: {}", domain, e.toString(), e);
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
    }
  }
}
