package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;

/** Checks one domain at a time, from any thread; built from a configuration by the application. */
public interface Checker extends AutoCloseable {

  /** Snapshots and audits a valid, normalised domain. Blocking; never throws for network trouble. */
  CheckResult check(String domain);

  @Override
  void close();
}
