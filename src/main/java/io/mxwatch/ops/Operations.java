package io.mxwatch.ops;

import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.DomainNames;
import io.mxwatch.config.DomainPattern;
import io.mxwatch.config.Durations;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DriftState;
import io.mxwatch.drift.Expectations;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator does to the watch, the same from the command line and the HTTP API: approve a
 * domain's changes, silence domains, end a silence. Each call validates its input and says in an
 * {@link OperationException} what is wrong.
 */
public final class Operations {
  /** The longest silence: a forgotten one must not hide alerts for good. */
  public static final Duration LONGEST_SILENCE = Duration.ofDays(30);

  private final HistoryStore history;
  private final AlertStore alerts;
  private final MxwatchConfig config;
  private final Clock clock;

  public Operations(HistoryStore history, AlertStore alerts, MxwatchConfig config, Clock clock) {
    this.history = history;
    this.alerts = alerts;
    this.config = config;
    this.clock = clock;
  }

  /**
   * What an approval did.
   *
   * @param approved the changes approved; empty when there was nothing to approve
   * @param stillOpen what stays open: mismatches with the config, failing lookups
   */
  public record Ack(String domain, String by, List<Change> approved, List<Change> stillOpen) {
    public Ack {
      approved = List.copyOf(approved);
      stillOpen = List.copyOf(stillOpen);
    }
  }

  /**
   * Approves the confirmed state of {@code domain} as its new baseline. Mismatches with declared
   * expectations and failing lookups are not states to approve: they stay open.
   */
  public Ack ack(String domainName, String by, String reason) {
    return ack(domainName, by, reason, null);
  }

  /**
   * As {@link #ack(String, String, String)}, only if the domain's confirmed state is still the
   * one {@code expect} names ({@link #ackToken}, as the API showed it): a change confirmed since
   * is never approved unseen.
   *
   * @param expect the {@link #ackToken} of the state shown; null: the state read now
   */
  public Ack ack(String domainName, String by, String reason, String expect) {
    String domain = domain(domainName);
    String who = required("by", by);
    String why = required("reason", reason);
    HistoryStore.Loaded loaded = history.load(domain);
    if (loaded.version() == 0) {
      throw neverChecked(domain);
    }
    if (expect != null && !expect.equals(ackToken(loaded.state()))) {
      throw new OperationException(
          OperationException.Reason.CONFLICT, domain + "'s confirmed changes are not the ones shown with ack_token " + expect + " any more: nothing approved; look again");
    }
    DriftEngine engine = new DriftEngine(confirmations(domain));
    List<Change> approvable = new ArrayList<>();
    List<Change> stillOpen = new ArrayList<>();
    for (Change c : engine.open(loaded.state(), expectations(domain))) {
      (ChangeCode.approvable(c.code()) ? approvable : stillOpen).add(c);
    }
    if (approvable.isEmpty()) {
      return new Ack(domain, who, List.of(), stillOpen);
    }
    DriftState after;
    try {
      // exactly the state read above, whose changes this answer lists as approved
      after = history.approve(domain, who, why, clock.instant(), state -> engine.open(state, expectations(domain)).size(), loaded.state().confirmed());
    } catch (StoreException e) {
      throw new OperationException(OperationException.Reason.CONFLICT, e.getMessage());
    }
    return new Ack(domain, who, approvable, engine.open(after, expectations(domain)));
  }

  /**
   * Names a domain's confirmed state, for an ack that must approve exactly what was shown: the
   * first 16 hex digits of the SHA-256 of the state; "none" when nothing is confirmed yet.
   */
  public static String ackToken(io.mxwatch.drift.DriftState state) {
    if (state == null || state.confirmed() == null) {
      return "none";
    }
    try {
      byte[] json = io.mxwatch.snapshot.SnapshotJson.mapper().writeValueAsBytes(state.confirmed());
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(json), 0, 8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot name the confirmed state: " + e.getMessage(), e);
    }
  }

  /** The open changes of {@code domain} in {@code state}, against its configured expectations. */
  public List<Change> open(String domain, DriftState state) {
    return new DriftEngine(confirmations(domain)).open(state, expectations(domain));
  }

  /**
   * Silences the domains {@code pattern} matches from now for {@code duration} (e.g. {@code 2h}).
   *
   * @return the stored silence, with its id
   */
  public SilenceRule silence(String pattern, String duration, String reason, String by) {
    DomainPattern p;
    Duration d;
    try {
      p = DomainPattern.parse(required("domain", pattern));
      d = Durations.parse(required("duration", duration));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    if (d.isZero() || d.isNegative() || d.compareTo(LONGEST_SILENCE) > 0) {
      throw bad("duration: must be between 1s and 30d, got " + duration);
    }
    Instant now = clock.instant();
    SilenceRule rule = new SilenceRule(0, p, now, now.plus(d), required("reason", reason), required("by", by));
    long id = alerts.addSilence(rule, now);
    return new SilenceRule(id, rule.pattern(), rule.start(), rule.end(), rule.reason(), rule.by());
  }

  /** Ends silence {@code id} now. */
  public void expireSilence(long id) {
    if (!alerts.expireSilence(id, clock.instant())) {
      throw new OperationException(
          OperationException.Reason.NOT_FOUND,
          "no silence #" + id + " in force (see 'mxwatch silence list'); silences from the config end when removed from it");
    }
  }

  /** The stored silences and the configuration's maintenance windows that have not ended, stored first. */
  public List<SilenceRule> silencesInForce() {
    Instant now = clock.instant();
    List<SilenceRule> all = new ArrayList<>(alerts.silences(now));
    config.alerts().silences().stream().filter(c -> c.end().isAfter(now)).map(SilenceRule::of).forEach(all::add);
    return all;
  }

  /** The configured expectations of {@code domain}; none when it is not configured. */
  public Expectations expectations(String domain) {
    return config.watch().domain(domain).map(MxwatchConfig.Domain::expect).orElse(Expectations.NONE);
  }

  public int confirmations(String domain) {
    return config.watch().domain(domain).map(MxwatchConfig.Domain::confirmations).orElse(config.watch().confirmations());
  }

  /** {@code input} as a normalised domain name. */
  public static String domain(String input) {
    try {
      return DomainNames.normalize(input == null ? "" : input);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** The error for a domain the store has no check of. */
  public static OperationException neverChecked(String domain) {
    return new OperationException(
        OperationException.Reason.NOT_FOUND, domain + " has never been checked: is it in the config, and is the daemon running on this store?");
  }

  /** The longest {@code by} (a person or a system: the store's column holds 200). */
  public static final int MAX_BY = 200;
  /** The longest {@code reason}: a sentence or a ticket reference, not a document. */
  public static final int MAX_REASON = 2000;

  private static String required(String name, String value) {
    if (value == null || value.isBlank()) {
      throw bad(name + ": say " + (name.equals("reason") ? "why" : name.equals("by") ? "who" : "which"));
    }
    String text = value.strip();
    int max = name.equals("by") ? MAX_BY : MAX_REASON;
    if (text.length() > max) {
      throw bad(name + ": at most " + max + " characters, got " + text.length());
    }
    if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
      throw bad(name + ": control characters (line breaks, NUL, escapes) are not allowed");
    }
    return text;
  }

  private static OperationException bad(String message) {
    return new OperationException(OperationException.Reason.BAD_REQUEST, message);
  }
}
