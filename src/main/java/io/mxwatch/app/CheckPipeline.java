package io.mxwatch.app;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.cli.Checker;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Fingerprint;
import io.mxwatch.drift.Observation;
import io.mxwatch.metrics.CheckFigures;
import io.mxwatch.metrics.DriftFigures;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.schedule.DomainTask;
import io.mxwatch.store.GroupCommit;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.RepeatedChecks;
import io.mxwatch.store.StoreException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled check of a domain, as a straight line: snapshot and audit (asynchronous, no thread
 * waits on the network) → observation → drift step against the stored state → recorded (on the
 * recording executor). Logs one line per check and one per confirmed change.
 *
 * <p>Most checks see what the previous one saw. Such a check — same observation, same status, and
 * a drift state that stepping leaves as it is — is not a transaction: it goes to {@link
 * RepeatedChecks}, which writes a batch every few seconds. To know that without reading the state,
 * the pipeline remembers per domain the hash of what it last recorded and the state's version, and
 * asks the store only for the version (an approval or another daemon may have moved it).
 */
final class CheckPipeline implements DomainTask {
  private static final Logger log = LoggerFactory.getLogger("io.mxwatch.check");
  private static final int ATTEMPTS = 5;

  /** What the daemon currently watches, and with what; replaced as a whole on reload. */
  /** @param inconsistentAfter how long nameservers may disagree before it is critical */
  record Watching(Checker checker, Map<String, MxwatchConfig.Domain> domains, java.time.Duration inconsistentAfter) {
    Watching(Checker checker, Map<String, MxwatchConfig.Domain> domains) {
      this(checker, domains, java.time.Duration.ofHours(1));
    }

    Watching {
      domains = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(domains)); // Map.copyOf is slow at 100,000
    }
  }

  /**
   * What the pipeline last recorded of a domain: a repeat of it needs no transaction while the
   * state's version is still {@code version}.
   *
   * @param settled whether stepping the state with this observation leaves it unchanged
   */
  private record Known(Fingerprint fingerprint, String status, long version, long snapshotId, boolean settled, java.time.Instant checkedAt) {}

  private final Supplier<Watching> watching;
  private final HistoryStore store;
  private final GroupCommit commits;
  private final RepeatedChecks repeats;
  private final Metrics metrics;
  private final Executor recorders;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  /** Versions read for the window about to start ({@link #prepare}); each is used once. */
  private final Map<String, Long> fresh = new ConcurrentHashMap<>();
  /** When each churning domain was last logged as such: once a day each. */
  private final Map<String, java.time.Instant> churnLogged = new ConcurrentHashMap<>();
  /** When each churning domain's new state last replaced its latest snapshot. */
  private final Map<String, java.time.Instant> churnedAt = new ConcurrentHashMap<>();
  /** Since when each domain's nameservers have disagreed, as this process saw it. */
  private final Map<String, java.time.Instant> inconsistentSince = new ConcurrentHashMap<>();
  /** Since when a nameserver of each domain's zone has served an older serial, as this process saw it. */
  private final Map<String, java.time.Instant> behindSince = new ConcurrentHashMap<>();

  CheckPipeline(
      Supplier<Watching> watching, HistoryStore store, GroupCommit commits, RepeatedChecks repeats, Metrics metrics, Executor recorders) {
    this.watching = watching;
    this.store = store;
    this.commits = commits;
    this.repeats = repeats;
    this.metrics = metrics;
    this.recorders = recorders;
  }

  /** What one check came to: its result, and the drift step recorded (null for a repeat). */
  private record Outcome(CheckResult result, DriftEngine.Step step) {}

  @Override
  public CompletionStage<?> start(String name) {
    Watching now = watching.get();
    MxwatchConfig.Domain domain = now.domains().get(name);
    if (domain == null) {
      log.debug("{} is no longer watched; check skipped", name);
      return CompletableFuture.completedFuture(null);
    }
    return now.checker()
        .checkAsync(name, domain.dkimSelectors())
        .thenComposeAsync(result -> record(domain, escalated(name, churnNoted(name, result), now.inconsistentAfter()), 1), recorders)
        .thenAccept(outcome -> report(domain, outcome))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                metrics.checkFailed();
              }
            });
  }

  /**
   * Makes sure that a repeated check of the window's domains needs no read of its own. When this
   * process checked a domain in the slot's previous window, nobody else can have since (a slot runs
   * on one daemon at a time): what it remembers is current, an approval aside, which changes no
   * repeat. Otherwise the versions are read now, in one go: read when the window's job starts, they
   * are newer than any check of another daemon, whose job for the slot had to end first.
   */
  @Override
  public void prepare(List<String> domains, java.time.Instant ownSince) {
    List<String> toRead = new java.util.ArrayList<>();
    for (String d : domains) {
      Known k = known.get(d);
      if (k == null) {
        continue;
      }
      if (ownSince != null && !k.checkedAt().isBefore(ownSince)) {
        fresh.put(d, k.version());
      } else {
        toRead.add(d);
      }
    }
    if (!toRead.isEmpty()) {
      Map<String, Long> versions = store.versions(toRead);
      for (String d : toRead) {
        fresh.put(d, versions.getOrDefault(d, 0L));
      }
    }
  }

  /** Forgets what was recorded of domains whose settings changed (confirmations, expectations). */
  void forget(java.util.Collection<String> domains) {
    domains.forEach(known::remove);
  }

  /**
   * Counts a repeat, or steps the drift engine from the stored state and has the step recorded with
   * the next group; stepped again from a fresh load when an approval (or another daemon) got in
   * between.
   */
  private CompletableFuture<Outcome> record(MxwatchConfig.Domain domain, CheckResult result, int attempt) {
    String name = domain.name();
    Observation observation = Observation.of(result);
    Fingerprint fingerprint = Fingerprint.of(observation);
    String status = result.status().label();
    if (repeat(name, fingerprint, status, result)) {
      return CompletableFuture.completedFuture(new Outcome(result, null));
    }
    DriftEngine engine = new DriftEngine(domain.confirmations());
    HistoryStore.Loaded loaded = store.load(name);
    DriftEngine.Step step = engine.step(loaded.state(), observation, domain.expect(), result.snapshot().checkedAt());
    if (step.events().isEmpty() && step.state().equals(loaded.state()) && fingerprint.hex().equals(loaded.contentHash()) && status.equals(loaded.status())) {
      // nothing new, not even for the drift engine: count it with the snapshot it repeats
      repeats.add(name, loaded.snapshotId(), result.snapshot().checkedAt());
      known.put(name, new Known(fingerprint, status, loaded.version(), loaded.snapshotId(), true, result.snapshot().checkedAt()));
      metrics.domains().drift(name, figures(engine, domain, step, loaded.version(), status, result));
      return CompletableFuture.completedFuture(new Outcome(result, null));
    }
    int open = engine.open(step.state(), domain.expect()).size();
    return commits
        .submit(new HistoryStore.Recording(name, loaded.version(), result, observation, step, open))
        .thenComposeAsync(
            recorded -> {
              if (recorded == null) {
                known.remove(name);
                if (attempt >= ATTEMPTS) {
                  throw new StoreException("recording the check of " + name + " failed: its state kept changing", null);
                }
                return record(domain, result, attempt + 1);
              }
              if (recorded.churning()) {
                churning(name, result.snapshot().checkedAt());
              }
              DriftEngine.Step again = engine.step(step.state(), observation, domain.expect(), result.snapshot().checkedAt());
              boolean settled = again.events().isEmpty() && again.state().equals(step.state());
              known.put(name, new Known(fingerprint, status, recorded.version(), recorded.snapshotId(), settled, result.snapshot().checkedAt()));
              metrics.domains().drift(name, figures(engine, domain, step, recorded.version(), status, result));
              return CompletableFuture.completedFuture(new Outcome(recorded.churning() ? result.with(HistoryStore.churnFinding(name)) : result, step));
            },
            recorders);
  }

  /**
   * Counts a check whose new state replaced the domain's latest snapshot, and says so in the log
   * once a day per domain: its records change on nearly every check, and its history keeps only
   * the latest of the states past the day's limit.
   */
  private void churning(String name, java.time.Instant at) {
    metrics.snapshotReplaced();
    churnedAt.put(name, at);
    java.time.Instant last = churnLogged.get(name);
    if (last == null || !at.isBefore(last.plus(java.time.Duration.ofDays(1)))) {
      churnLogged.put(name, at);
      log.warn(
          "{}: {} distinct states within 24 hours; its records change on nearly every check, and each new state now replaces"
              + " the latest snapshot instead of adding one",
          name,
          HistoryStore.CHURN_LIMIT);
    }
  }

  /**
   * The check with {@code RECORDS_CHURNING} when the domain's state replaced its latest snapshot
   * within the last {@link HistoryStore#CHURN_WINDOW}: the finding tells of the history, so it
   * changes neither the observation nor the status, and it clears a day after the churn ends.
   */
  /** The findings of nameservers that disagree, which turn critical when it lasts. */
  static final java.util.Set<io.mxwatch.audit.FindingCode> INCONSISTENT =
      java.util.EnumSet.of(io.mxwatch.audit.FindingCode.NS_INCONSISTENT_MX, io.mxwatch.audit.FindingCode.NS_INCONSISTENT_SPF, io.mxwatch.audit.FindingCode.NS_INCONSISTENT_DMARC);

  /**
   * The check with its nameserver inconsistencies made critical once they have lasted {@code
   * after}: until then a change in progress (the warning the audit gives), then a change that is
   * not propagating. Counted from the first check of this process that saw them (a restart counts
   * again, as Prometheus's {@code for} does).
   */
  private CheckResult escalated(String name, CheckResult result, java.time.Duration after) {
    return inconsistentLasting(name, serialsBehindSince(name, result), after);
  }

  /** NS_SERIAL_DIFFERS with since when, as this process saw it, a nameserver has been behind. */
  private CheckResult serialsBehindSince(String name, CheckResult result) {
    if (result.audit().findings().stream().noneMatch(f -> f.code() == io.mxwatch.audit.FindingCode.NS_SERIAL_DIFFERS)) {
      behindSince.remove(name);
      return result;
    }
    java.time.Instant since = behindSince.computeIfAbsent(name, n -> result.snapshot().checkedAt());
    return result.noted(io.mxwatch.audit.FindingCode.NS_SERIAL_DIFFERS, "(behind since " + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");
  }

  private CheckResult inconsistentLasting(String name, CheckResult result, java.time.Duration after) {
    boolean inconsistent = result.audit().findings().stream().anyMatch(f -> INCONSISTENT.contains(f.code()));
    java.time.Instant at = result.snapshot().checkedAt();
    if (!inconsistent) {
      inconsistentSince.remove(name);
      return result;
    }
    java.time.Instant since = inconsistentSince.computeIfAbsent(name, n -> at);
    if (at.isBefore(since.plus(after))) {
      return result;
    }
    return result.escalated(INCONSISTENT, "(for over " + io.mxwatch.config.Durations.format(after) + ", since " + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ": not propagating)");
  }

  private CheckResult churnNoted(String name, CheckResult result) {
    java.time.Instant at = churnedAt.get(name);
    if (at == null) {
      return result;
    }
    if (!result.snapshot().checkedAt().isBefore(at.plus(HistoryStore.CHURN_WINDOW))) {
      churnedAt.remove(name, at);
      return result;
    }
    return result.with(HistoryStore.churnFinding(name));
  }

  /** Metrics and the log line of a check that is recorded (or counted). */
  private void report(MxwatchConfig.Domain domain, Outcome outcome) {
    String name = domain.name();
    CheckResult result = outcome.result();
    metrics.checked(result);
    metrics.domains().checked(name, CheckFigures.of(result), result.snapshot().checkedAt());
    int newChanges = outcome.step() == null ? 0 : outcome.step().events().size();
    if (outcome.step() != null) {
      for (DriftEngine.ChangeEvent event : outcome.step().events()) {
        log.warn("{} change confirmed: {}", name, event.change());
      }
    }
    if (log.isInfoEnabled()) {
      log.info(
          "{} {} in {}s, {} new changes, {} open",
          name,
          result.status().label(),
          seconds(result.snapshot().durationMs()),
          newChanges,
          metrics.domains().open(name));
    }
    if (log.isDebugEnabled()) {
      log.debug("{} findings: {}", name, result.audit().findings().stream().map(f -> f.code().name()).toList());
      log.debug(
          "{} smtp: {}", name, result.snapshot().smtp().stream().map(p -> p.address() + " " + p.outcome() + " " + Math.round(p.elapsedMs()) + "ms").toList());
    }
  }

  /** Milliseconds as seconds with two decimals ("0.84"), without the cost of String.format. */
  static String seconds(double ms) {
    long hundredths = Math.round(ms / 10);
    long rest = hundredths % 100;
    return hundredths / 100 + (rest < 10 ? ".0" : ".") + rest;
  }

  /** Whether the check repeats what was last recorded, with the state untouched since: then it is only counted. */
  private boolean repeat(String name, Fingerprint fingerprint, String status, CheckResult result) {
    Long read = fresh.remove(name);
    Known k = known.get(name);
    if (k == null || !k.settled() || !k.fingerprint().equals(fingerprint) || !k.status().equals(status)) {
      return false;
    }
    if ((read != null ? read : store.version(name)) != k.version()) {
      return false; // approved, or checked by another daemon: step from the stored state
    }
    repeats.add(name, k.snapshotId(), result.snapshot().checkedAt());
    known.put(name, new Known(k.fingerprint(), k.status(), k.version(), k.snapshotId(), true, result.snapshot().checkedAt()));
    return true;
  }

  /** What the metrics show of the domain after this step (the store's figures, known here first). */
  private static DriftFigures figures(
      DriftEngine engine, MxwatchConfig.Domain domain, DriftEngine.Step step, long version, String status, CheckResult result) {
    return DriftFigures.of(
        version,
        io.mxwatch.audit.Status.valueOf(status.toUpperCase(Locale.ROOT)),
        result.snapshot().checkedAt(),
        engine.open(step.state(), domain.expect()),
        step.state().failing(),
        step.events().stream().map(DriftEngine.ChangeEvent::confirmedAt).max(java.time.Instant::compareTo).orElse(null));
  }
}
