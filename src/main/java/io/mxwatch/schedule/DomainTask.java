package io.mxwatch.schedule;

import java.util.concurrent.CompletionStage;

/** What a scheduled check does: check one domain. Supplied by the application. */
@FunctionalInterface
public interface DomainTask {
  /**
   * Starts a check of {@code domain} and returns at once, without blocking: the stage completes
   * when the check is over (recorded), exceptionally when it failed. A failure is logged with the
   * domain and counted; the schedule goes on.
   */
  CompletionStage<?> start(String domain);

  /**
   * Called before the checks of a window are started, with their domains, on the thread of the
   * slot's job: a task may read what it needs for all of them in one go. The default does nothing;
   * a failure is logged and the checks start anyway.
   *
   * @param ownSince when not null, no other daemon can have checked these domains since this
   *     instant: this process ran the slot's previous window, which began then, and a slot runs
   *     on one daemon at a time
   */
  default void prepare(java.util.List<String> domains, java.time.Instant ownSince) {}
}
