package io.mxwatch.alert;

import io.mxwatch.drift.DriftState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What alerting keeps in the store: the alert groups, the outbox, the silences. Implemented over
 * JDBC by the store; defined here so that alerting does not depend on how it is stored.
 */
public interface AlertRepository {
  /**
   * A domain whose alerts need an evaluation.
   *
   * @param driftVersion the drift state's version, to remember as evaluated
   * @param evaluation the version of the domain's alert row, which {@link #commit} must find
   *     unchanged; 0 when it has none yet
   */
  record Due(String domain, DriftState state, long driftVersion, long evaluation) {}

  /**
   * The outcome of evaluating one domain, to be written at once.
   *
   * @param groups the state of each route's group; groups of other routes are deleted
   * @param dueAt when the domain needs an evaluation again even if nothing changes; null for never
   * @param emails what to send, in order
   */
  record Evaluation(
      String domain, long evaluation, long driftVersion, Map<String, GroupState> groups, Instant dueAt, List<Email> emails, Instant at) {
    public Evaluation {
      groups = Map.copyOf(groups);
      emails = List.copyOf(emails);
    }
  }

  /** An email waiting in the outbox. */
  record Queued(long id, Email email, int attempts) {}

  /**
   * What the outbox holds.
   *
   * @param oldestPending when the oldest email waiting was decided; null when none waits
   * @param lastError the last error of a waiting email; null when none
   * @param undeliverable the emails the relay refused for good (or refused some recipients of),
   *     newest first
   */
  record OutboxSummary(int pending, Instant oldestPending, String lastError, List<Undeliverable> undeliverable) {
    public OutboxSummary {
      undeliverable = List.copyOf(undeliverable);
    }
  }

  /** An email (or some of its recipients) the relay refused for good. */
  record Undeliverable(long id, String domain, String subject, Instant createdAt, String error) {}

  /** When a change of code and subject was first seen and confirmed, from the history. */
  /** When a change was first seen and confirmed, and its event's note (how far it had propagated; null for most). */
  record Confirmation(String code, String subject, Instant detectedAt, Instant confirmedAt, String note) {
    Confirmation(String code, String subject, Instant detectedAt, Instant confirmedAt) {
      this(code, subject, detectedAt, confirmedAt, null);
    }
  }

  /** Domains due for an evaluation at {@code now}: checked or approved since their last one, or a timer fell due. */
  List<Due> due(Instant now, int limit);

  /** Makes every domain due at {@code now} (after a start, a reload, or a silence starting or ending). */
  void markAllDue(Instant now);

  /** The group state of each route of {@code domain}. */
  Map<String, GroupState> groups(String domain);

  /** The latest confirmation of each change of {@code domain} confirmed at or after {@code since}. */
  List<Confirmation> confirmations(String domain, Instant since);

  /**
   * Writes an evaluation in one transaction: group states, the next due time and the emails.
   *
   * @return false, with nothing written, when another evaluation of the domain got in between
   */
  boolean commit(Evaluation evaluation);

  /**
   * Emails whose time has come, oldest first, each only when no earlier email of its group still
   * waits and nobody holds a claim on it (by the store's clock).
   */
  List<Queued> sendable(Instant now, int limit);

  /**
   * Claims an email for sending for {@code lease}; false when another sender holds it. Claims are
   * measured by the store's clock, not the sender's: daemons sharing a store whose own clocks
   * disagree still agree on when a claim ran out.
   */
  boolean claim(long id, String owner, java.time.Duration lease);

  /** Makes every waiting email due at {@code now} (the relay settings changed). */
  void retryAllNow(Instant now);

  /**
   * The relay accepted the email (for all recipients but {@code rejected}, each with the relay's
   * answer). Marked sent whoever holds the claim, since it was.
   *
   * @return whether {@code owner} still held the claim; if not, its claim ran out while it sent
   *     and another sender may send the email too
   */
  boolean sent(long id, String owner, Instant at, List<String> rejected);

  /**
   * The attempt failed and may succeed later.
   *
   * @return false, with nothing written, when {@code owner} no longer holds the claim
   */
  boolean retry(long id, String owner, int attempts, Instant next, String error);

  /**
   * The relay refused the email for good, or it was given up.
   *
   * @return false, with nothing written, when {@code owner} no longer holds the claim
   */
  boolean failed(long id, String owner, Instant at, String error);

  OutboxSummary outbox(int undeliverableLimit);

  /** Stores a silence and returns its id. */
  long addSilence(SilenceRule silence, Instant at);

  /** Stored silences that end after {@code endsAfter}, by start. */
  List<SilenceRule> silences(Instant endsAfter);

  /**
   * Ends a stored silence now.
   *
   * @return false when there is no such silence or it already ended
   */
  boolean expireSilence(long id, Instant now);
}
