package io.mxwatch.drift;

import java.time.Instant;

/**
 * What the drift engine remembers of one domain between checks. Immutable; each step returns a new
 * one, which the store keeps.
 *
 * @param baseline the approved state (learned from the first confirmed state, then whatever an
 *     operator approves); null until learned
 * @param confirmed the state last seen in {@code confirmations} consecutive checks; null until
 *     learned
 * @param candidate a state that differs from {@code confirmed} and is waiting for confirmation
 * @param candidateCount consecutive checks that saw {@code candidate}
 * @param candidateSince when {@code candidate} was first seen
 * @param lastKnown the latest check's state with its unknown parts filled in, which fills in the
 *     next check's unknown parts
 * @param failingCount consecutive checks with failed lookups
 * @param failing whether DNS_LOOKUP_FAILING has been raised and not yet recovered
 * @param agreedSince since when the zone's nameservers have all served the MX set they serve now
 *     (the check that first saw them agree); null while they disagree, were not asked, and in
 *     states stored before
 */
public record DriftState(
    DomainState baseline,
    DomainState confirmed,
    DomainState candidate,
    int candidateCount,
    Instant candidateSince,
    DomainState lastKnown,
    int failingCount,
    boolean failing,
    Instant agreedSince) {

  public static final DriftState INITIAL = new DriftState(null, null, null, 0, null, null, 0, false, null);

  /** A state without the nameservers' agreement (as stored before it). */
  public DriftState(
      DomainState baseline, DomainState confirmed, DomainState candidate, int candidateCount, Instant candidateSince, DomainState lastKnown,
      int failingCount, boolean failing) {
    this(baseline, confirmed, candidate, candidateCount, candidateSince, lastKnown, failingCount, failing, null);
  }

  /** The state approved as the new baseline: the confirmed one. */
  public DriftState approved() {
    return new DriftState(confirmed, confirmed, candidate, candidateCount, candidateSince, lastKnown, failingCount, failing, agreedSince);
  }
}
