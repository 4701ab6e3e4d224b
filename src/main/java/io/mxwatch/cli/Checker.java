package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;

/** Checks one domain at a time, from any thread; built from a configuration by the application. */
public interface Checker extends AutoCloseable {

  /** Snapshots and audits a valid, normalised domain. Blocking; never throws for network trouble. */
  CheckResult check(String domain);

  /**
   * The same without blocking: the future completes with the result (never exceptionally for
   * network trouble).
   */
  default java.util.concurrent.CompletableFuture<CheckResult> checkAsync(String domain) {
    return java.util.concurrent.CompletableFuture.completedFuture(check(domain));
  }

  /** The same, with the DKIM keys of {@code dkimSelectors} (validated selectors) checked too. */
  default java.util.concurrent.CompletableFuture<CheckResult> checkAsync(String domain, java.util.List<String> dkimSelectors) {
    return checkAsync(domain);
  }

  @Override
  void close();
}
