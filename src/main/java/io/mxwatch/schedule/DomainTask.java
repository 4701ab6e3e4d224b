package io.mxwatch.schedule;

/** What a scheduled job does: check one domain. Supplied by the application. */
@FunctionalInterface
public interface DomainTask {
  /**
   * Checks {@code domain} once. Blocking. Whatever it throws is logged with the domain and
   * counted; the schedule goes on.
   */
  void run(String domain) throws Exception;
}
