package io.mxwatch.alert;

import java.util.concurrent.atomic.AtomicLong;

/** What the alert sender did since the daemon started; exported as metrics. */
public final class AlertCounters {
  final AtomicLong sent = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong retried = new AtomicLong();
  final AtomicLong rejectedRecipients = new AtomicLong();
  final AtomicLong queued = new AtomicLong();
  final AtomicLong expired = new AtomicLong();

  /** Emails given up because the relay did not take them in time (Backoff#giveUpAfter). */
  public long expired() {
    return expired.get();
  }

  /** Emails the relay accepted. */
  public long sent() {
    return sent.get();
  }

  /** Emails the relay refused for good. */
  public long failed() {
    return failed.get();
  }

  /** Attempts that failed and will be retried. */
  public long retried() {
    return retried.get();
  }

  /** Recipients the relay refused for good in emails it otherwise accepted. */
  public long rejectedRecipients() {
    return rejectedRecipients.get();
  }

  /** Emails written to the outbox. */
  public long queued() {
    return queued.get();
  }
}
