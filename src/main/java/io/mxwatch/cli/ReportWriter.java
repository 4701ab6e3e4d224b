package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;

/** Writes check results as they come, one domain at a time, in input order. */
interface ReportWriter {
  void begin();

  void result(CheckResult result);

  /**
   * Whatever of writing {@code result} can be done before its turn, on the thread that finished the
   * check; the returned action writes it when its turn comes. By default everything waits for the
   * turn.
   */
  default Runnable prepare(CheckResult result) {
    return () -> result(result);
  }

  /** A check that could not run at all (a bug, not a network problem). */
  void failure(String domain, String message);

  /** Pushes what is written so far to the output; results are written without flushing each. */
  void flush();

  void end(Tally tally);
}
