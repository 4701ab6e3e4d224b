package io.mxwatch.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what counts as drift. Pure: the state goes in, the next state and the confirmed changes
 * come out; no clock, no I/O.
 *
 * <p>A difference becomes a change only once {@code confirmations} consecutive checks saw the
 * same new state, so a single flapping answer never pages anyone. A failed lookup is never a
 * change: the part it would have told keeps its last known value, and when failures last as many
 * consecutive checks, DNS_LOOKUP_FAILING is raised instead.
 */
public final class DriftEngine {
  private final int confirmations;

  public DriftEngine(int confirmations) {
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be at least 1: " + confirmations);
    }
    this.confirmations = confirmations;
  }

  /** The outcome of one check: the new state and the changes it confirmed (often none). */
  public record Step(DriftState state, List<ChangeEvent> events) {
    public Step {
      events = List.copyOf(events);
    }
  }

  /**
   * A confirmed change.
   *
   * @param detectedAt when the new state was first seen
   * @param confirmedAt when the check that confirmed it ran
   * @param note what more there is to say: for a change of the MX set, how far it has propagated
   *     over the zone's nameservers ({@link Propagation}); null otherwise
   */
  public record ChangeEvent(Change change, Instant detectedAt, Instant confirmedAt, String note) {
    public ChangeEvent(Change change, Instant detectedAt, Instant confirmedAt) {
      this(change, detectedAt, confirmedAt, null);
    }
  }

  public Step step(DriftState s, Observation observation, Expectations expectations, Instant checkedAt) {
    List<ChangeEvent> events = new ArrayList<>();
    DomainState observed = observation.state();
    if (observed.mxInFlux() && s.lastKnown() != null) {
      // while the nameservers disagree, the MX set the resolver gave (and what was probed of it)
      // depends on which one it asked: the last known stands, NS_INCONSISTENT_MX tells the change
      // in progress, and it is confirmed once every nameserver serves it (with how far it spread)
      observed = observed.withExchangesUnknown();
    }
    DomainState seen = observed.filledFrom(s.lastKnown());
    Instant agreedSince = Propagation.agreedSince(s, seen, checkedAt);

    // counted up to the confirmations only: a domain failing for days keeps one state (and one
    // stored row) instead of a new one per check
    int failingCount = observation.failures().isEmpty() ? 0 : Math.min(s.failingCount() + 1, confirmations);
    boolean failing = s.failing();
    if (!failing && failingCount >= confirmations) {
      failing = true;
      events.add(
          new ChangeEvent(
              Change.of(ChangeCode.DNS_LOOKUP_FAILING, "dns", "answering", String.join(", ", observation.failures())),
              checkedAt,
              checkedAt));
    } else if (failing && failingCount == 0) {
      failing = false;
      events.add(new ChangeEvent(Change.of(ChangeCode.DNS_LOOKUP_RECOVERED, "dns", "failing", "answering"), checkedAt, checkedAt));
    }

    DomainState baseline = s.baseline();
    DomainState confirmed = s.confirmed();
    DomainState candidate = s.candidate();
    int count = s.candidateCount();
    Instant since = s.candidateSince();
    if (confirmed == null && !seen.complete()) {
      // nothing known yet to fill the gaps with: wait for a check that sees everything
      candidate = null;
      count = 0;
      since = null;
    } else if (seen.equals(confirmed)) {
      candidate = null; // back to (or still at) the confirmed state: a flap ends here
      count = 0;
      since = null;
    } else if (seen.equals(candidate)) {
      count++;
    } else {
      candidate = seen;
      count = 1;
      since = checkedAt;
    }
    if (candidate != null && count >= confirmations) {
      List<Change> changes = new ArrayList<>();
      if (confirmed == null) {
        baseline = candidate; // learned: the first confirmed state is the baseline
        changes.addAll(expectations.mismatches(candidate));
      } else {
        changes.addAll(Differ.diff(confirmed, candidate));
        List<Change> before = expectations.mismatches(confirmed);
        expectations.mismatches(candidate).stream().filter(m -> !before.contains(m)).forEach(changes::add);
      }
      for (Change change : changes) {
        events.add(new ChangeEvent(change, since, checkedAt, Propagation.note(change, confirmed, candidate, agreedSince)));
      }
      confirmed = candidate;
      candidate = null;
      count = 0;
      since = null;
    }
    return new Step(new DriftState(baseline, confirmed, candidate, count, since, seen, failingCount, failing, agreedSince), events);
  }

  /** Every difference between two states, as changes from {@code before} to {@code after}. */
  public static List<Change> diff(DomainState before, DomainState after) {
    return Differ.diff(before, after);
  }

  /**
   * What is open for a domain now: every difference between the baseline and the confirmed state
   * above info level, every expectation the confirmed state does not meet, and DNS_LOOKUP_FAILING
   * while it lasts.
   */
  public List<Change> open(DriftState s, Expectations expectations) {
    List<Change> open = new ArrayList<>();
    if (s.baseline() != null && s.confirmed() != null) {
      for (Change c : Differ.diff(s.baseline(), s.confirmed())) {
        // info-level changes (a TTL, a banner, a record added, a finding cleared) are history, in
        // the change events, not work waiting for an approval
        if (c.severity() != io.mxwatch.audit.Severity.INFO) {
          open.add(c);
        }
      }
      open.addAll(expectations.mismatches(s.confirmed()));
    }
    if (s.failing()) {
      open.add(Change.of(ChangeCode.DNS_LOOKUP_FAILING, "dns", "answering", "failing"));
    }
    return open;
  }
}
