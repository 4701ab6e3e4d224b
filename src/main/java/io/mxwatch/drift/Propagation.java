package io.mxwatch.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far a change of the MX set has spread over the zone's nameservers: which already serve the
 * new set, and once all do, since when and by when every resolver's cache has it (that moment plus
 * the old records' TTL, which is how long a resolver may keep them).
 */
final class Propagation {
  private Propagation() {}

  /** Codes whose events say how far the MX set they changed has propagated. */
  private static final java.util.Set<String> MX_CHANGES =
      java.util.Set.of(ChangeCode.MX_ADDED.name(), ChangeCode.MX_REMOVED.name(), ChangeCode.MX_PREFERENCE_CHANGED.name());

  /**
   * Since when the nameservers have agreed on the MX set they agree on now: kept from the last
   * state while it is the same set, the check's time when they have just come to agree, null while
   * they disagree (or were never asked).
   */
  static Instant agreedSince(DriftState last, DomainState seen, Instant checkedAt) {
    List<String> now = seen.nameserversAgreeOn();
    if (now == null) {
      return null;
    }
    List<String> before = last.lastKnown() == null ? null : last.lastKnown().nameserversAgreeOn();
    return now.equals(before) && last.agreedSince() != null ? last.agreedSince() : checkedAt;
  }

  /**
   * The note of a confirmed change: for one of the MX set (and an MX inconsistency that appears or
   * clears), which nameservers serve the set now confirmed, and when all do, since when and by
   * when caches have it; null for other changes or when the nameservers were not asked.
   */
  static String note(Change change, DomainState before, DomainState now, Instant agreedSince) {
    if (now.nameservers() == null || now.nameservers().isEmpty()) {
      return null;
    }
    List<String> set;
    if (MX_CHANGES.contains(change.code()) && now.mx() != null) {
      set = Differ.mxSet(now.mx()); // the set confirmed through the resolver
    } else if (change.code().equals("NS_INCONSISTENT_MX") && change.after().equals("cleared") && now.nameserversAgreeOn() != null) {
      set = now.nameserversAgreeOn(); // the set they have come to agree on
    } else {
      return null;
    }
    List<String> serving = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Map.Entry<String, DomainState.NsMx> e : now.nameservers().entrySet()) {
      if (e.getValue().mx().equals(set)) {
        serving.add(e.getKey());
      } else {
        others.add(e.getKey() + " still serves " + (e.getValue().mx().isEmpty() ? "no MX" : String.join(", ", e.getValue().mx())));
      }
    }
    if (!others.isEmpty()) {
      return "in progress: " + (serving.isEmpty() ? "no nameserver serves it yet" : "served by " + String.join(", ", serving)) + "; " + String.join("; ", others);
    }
    String note = (set.isEmpty() ? "no MX" : String.join(", ", set)) + " served by all " + serving.size() + " nameserver" + (serving.size() == 1 ? "" : "s")
        + (agreedSince == null ? "" : " since " + second(agreedSince));
    Long ttl = oldTtl(before, now);
    if (agreedSince != null && ttl != null) {
      note += "; every resolver's cache has it by " + second(agreedSince.plusSeconds(ttl)) + " (the old records' TTL, " + ttl + " s)";
    }
    return note;
  }

  /** The longest TTL of the MX records before the change (now's when nothing older is known). */
  private static Long oldTtl(DomainState before, DomainState now) {
    Map<String, DomainState.NsMx> from = before != null && before.nameservers() != null && !before.nameservers().isEmpty() ? before.nameservers() : now.nameservers();
    return from.values().stream().map(DomainState.NsMx::ttl).filter(java.util.Objects::nonNull).max(Long::compare).orElse(null);
  }

  private static String second(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
