package io.mxwatch.audit;

import io.mxwatch.policy.DkimKey;
import io.mxwatch.policy.DkimResult;
import io.mxwatch.snapshot.Snapshot;
import java.util.List;

/**
 * Findings on the DKIM keys of the configured selectors: missing, unusable, revoked, weak or in
 * testing. A lookup that failed is DNS_LOOKUP_FAILED's, never a missing key.
 */
final class DkimRules {
  /** RSA keys shorter than this are rejected by verifiers (RFC 8301 §3.2). */
  static final int RSA_MINIMUM = 1024;
  /** RSA keys shorter than this are below what RFC 8301 recommends. */
  static final int RSA_RECOMMENDED = 2048;

  private DkimRules() {}

  static void check(Snapshot s, List<Finding> out) {
    if (s.dkim() == null) {
      return;
    }
    for (DkimResult r : s.dkim()) {
      String name = r.name();
      if (r.outcome().isFailure()) {
        if (s.lookups().stream().noneMatch(l -> l.name().equals(name) && l.type().equals("TXT"))) {
          out.add(Finding.of(FindingCode.DKIM_KEY_INVALID, name, name + " cannot be looked up: the name is longer than DNS allows"));
        }
        continue; // a failed lookup is DNS_LOOKUP_FAILED's
      }
      if (r.missing()) {
        out.add(Finding.of(FindingCode.DKIM_KEY_MISSING, name,
            name + ": no key record (" + r.outcome().label() + "): mail signed with selector " + r.selector() + " fails DKIM"));
        continue;
      }
      if (r.records().size() > 1) {
        out.add(Finding.of(FindingCode.DKIM_KEY_INVALID, name,
            name + ": " + r.records().size() + " TXT records where verifiers expect one key record; which one they use is undefined"));
        continue;
      }
      key(name, r.key(), out);
    }
  }

  private static void key(String name, DkimKey k, List<Finding> out) {
    if (!k.valid()) {
      out.add(Finding.of(FindingCode.DKIM_KEY_INVALID, name, name + ": " + String.join("; ", k.errors())));
      return;
    }
    if (k.revoked()) {
      out.add(Finding.of(FindingCode.DKIM_KEY_REVOKED, name, name + ": p= is empty: the key is revoked, signatures made with it fail"));
      return;
    }
    if (k.rsa() && k.keyBits() != null && k.keyBits() < RSA_RECOMMENDED) {
      Severity severity = k.keyBits() < RSA_MINIMUM ? Severity.CRITICAL : Severity.WARNING;
      String why = k.keyBits() < RSA_MINIMUM ? "verifiers reject keys under " + RSA_MINIMUM + " bits (RFC 8301)" : "RFC 8301 recommends at least " + RSA_RECOMMENDED;
      out.add(new Finding(FindingCode.DKIM_KEY_WEAK, severity, name, name + ": an RSA key of " + k.keyBits() + " bits: " + why));
    }
    if (k.testing()) {
      out.add(Finding.of(FindingCode.DKIM_KEY_TESTING, name, name + ": t=y: verifiers may treat failed signatures as unsigned"));
    }
  }
}
