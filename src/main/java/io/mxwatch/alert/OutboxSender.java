package io.mxwatch.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox through the relay. An email is claimed before it is sent (so two daemons on
 * one store never both send it; a claim's lease runs by the store's clock, so daemons whose clocks
 * disagree still agree on it) and marked sent only after the relay accepted it; a failed attempt
 * is retried with exponential backoff, for as long as it takes. When the relay cannot be reached
 * at all, the whole outbox waits: the relay gets the same backoff, not one connection per email.
 *
 * <p>After a crash between the relay's acceptance and the mark, the email goes out again once its
 * claim expires, with the same Message-ID, so the relay and mail clients can tell it is the same
 * email.
 */
public final class OutboxSender {
  private static final Logger log = LoggerFactory.getLogger(OutboxSender.class);
  private static final int BATCH = 100;

  /** Waits between attempts: {@code initial}, doubled after each failure, at most {@code max}. */
  /**
   * @param giveUpAfter how long after its decision an email is still sent: a page older than this
   *     is stale (the relay was down for a day), so it is given up, logged and counted instead of
   *     going out with everything else the moment the relay is back
   */
  public record Backoff(Duration initial, Duration max, Duration giveUpAfter) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(24));

    Duration after(int failures) {
      Duration d = initial;
      for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
        d = d.multipliedBy(2);
      }
      return d.compareTo(max) > 0 ? max : d;
    }
  }

  private final AlertRepository repo;
  private final Supplier<RelaySender> relay;
  private final Clock clock;
  private final String owner;
  private final Duration lease;
  private final Backoff backoff;
  private final AlertCounters counters;
  private int relayFailures;
  private Instant relayBlockedUntil = Instant.MIN;

  /**
   * @param relay the sender for the current configuration
   * @param owner names this daemon in claims
   * @param lease how long a claim holds: longer than any send takes
   */
  public OutboxSender(
      AlertRepository repo, Supplier<RelaySender> relay, Clock clock, String owner, Duration lease, Backoff backoff, AlertCounters counters) {
    this.repo = repo;
    this.relay = relay;
    this.clock = clock;
    this.owner = owner;
    this.lease = lease;
    this.backoff = backoff;
    this.counters = counters;
  }

  /** Forgets that the relay was down: after a reload with new relay settings, try at once. */
  public synchronized void relayChanged() {
    relayFailures = 0;
    relayBlockedUntil = Instant.MIN;
  }

  /**
   * Sends what is due.
   *
   * @return the emails the relay accepted
   */
  public synchronized int drain() {
    Instant now = clock.instant();
    if (now.isBefore(relayBlockedUntil)) {
      return 0;
    }
    int accepted = 0;
    List<AlertRepository.Queued> due = repo.sendable(now, BATCH);
    for (AlertRepository.Queued q : due) {
      Instant at = clock.instant();
      if (!repo.claim(q.id(), owner, lease)) {
        continue;
      }
      Email email = q.email();
      if (email.createdAt() != null && email.createdAt().plus(backoff.giveUpAfter()).isBefore(at)) {
        String why =
            "not sent within " + io.mxwatch.config.Durations.format(backoff.giveUpAfter()) + " of its decision (" + email.createdAt() + "): given up as stale";
        repo.failed(q.id(), owner, at, why);
        counters.expired.incrementAndGet();
        log.error("{} alert {} {}: {}", email.domain(), email.messageId(), why, email.subject());
        continue;
      }
      Delivery d = relay.get().send(email, answer -> record(q, email, answer));
      if (d instanceof Delivery.Accepted) {
        accepted++;
      } else if (d instanceof Delivery.Retry r && r.relayDown()) {
        relayFailures++;
        relayBlockedUntil = clock.instant().plus(backoff.after(relayFailures));
        return accepted;
      }
    }
    return accepted;
  }

  /** Writes what the relay answered, while its connection is still open (before QUIT). */
  private void record(AlertRepository.Queued q, Email email, Delivery d) {
    Instant done = clock.instant();
    switch (d) {
      case Delivery.Accepted a -> {
        if (!repo.sent(q.id(), owner, done, a.rejected())) {
          log.warn(
              "{} alert {}: this daemon's claim ran out while the relay took it ({} lease): another daemon sharing the store may send it too",
              email.domain(),
              email.messageId(),
              io.mxwatch.config.Durations.format(lease));
        }
        counters.sent.incrementAndGet();
        relayFailures = 0;
        if (a.rejected().isEmpty()) {
          log.info("{} alert sent to {}: {} {} ({})", email.domain(), String.join(", ", email.to()), email.subject(), email.messageId(), a.reply());
        } else {
          counters.rejectedRecipients.addAndGet(a.rejected().size());
          log.error("{} alert {} sent, but the relay refused {}", email.domain(), email.messageId(), String.join(", ", a.rejected()));
        }
      }
      case Delivery.Rejected r -> {
        if (!repo.failed(q.id(), owner, done, r.error())) {
          log.warn("{} alert {}: refused by the relay, but another daemon has claimed it since", email.domain(), email.messageId());
        }
        counters.failed.incrementAndGet();
        log.error("{} alert {} undeliverable: {}", email.domain(), email.messageId(), r.error());
      }
      case Delivery.Retry r -> {
        int attempts = q.attempts() + 1;
        Instant next = done.plus(backoff.after(attempts));
        if (!repo.retry(q.id(), owner, attempts, next, r.error())) {
          log.warn("{} alert {}: not sent, and another daemon has claimed it since; it is that daemon's to retry", email.domain(), email.messageId());
          return;
        }
        counters.retried.incrementAndGet();
        log.warn("{} alert {} not sent (attempt {}), next try at {}: {}", email.domain(), email.messageId(), attempts, next, r.error());
      }
    }
  }
}
