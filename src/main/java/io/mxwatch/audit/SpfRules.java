package io.mxwatch.audit;

import io.mxwatch.policy.SpfInclude;
import io.mxwatch.policy.SpfRecord;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;

/** Findings on the SPF record and its include tree. */
final class SpfRules {
  private SpfRules() {}

  static void check(Snapshot s, List<Finding> out) {
    SpfResult spf = s.spf();
    String domain = s.domain();
    if (spf.outcome().isFailure()) {
      return; // unknown, reported as DNS_LOOKUP_FAILED
    }
    if (spf.records().isEmpty()) {
      out.add(Finding.of(FindingCode.SPF_NONE, domain, "no SPF record (TXT v=spf1) at " + domain));
      return;
    }
    if (spf.records().size() > 1) {
      out.add(Finding.of(FindingCode.SPF_MULTIPLE, domain, spf.records().size() + " SPF records at " + domain + ": receivers return permerror"));
      return;
    }
    SpfRecord record = spf.record();
    if (!record.valid()) {
      out.add(Finding.of(FindingCode.SPF_SYNTAX, domain, "SPF record of " + domain + ": " + String.join("; ", record.errors())));
      return;
    }
    String atLeast = spf.complete() ? "" : "at least ";
    if (spf.dnsLookups() > SpfResult.LOOKUP_LIMIT) {
      out.add(
          Finding.of(
              FindingCode.SPF_TOO_MANY_LOOKUPS,
              domain,
              "SPF needs " + atLeast + spf.dnsLookups() + " DNS lookups (limit " + SpfResult.LOOKUP_LIMIT + "): receivers return permerror"));
    }
    for (String term : spf.mxOverLimit()) {
      out.add(Finding.of(FindingCode.SPF_TOO_MANY_LOOKUPS, term, "SPF term " + term + ": more than " + SpfResult.MX_LIMIT + " MX records, receivers return permerror"));
    }
    if (spf.voidLookups() > SpfResult.VOID_LIMIT) {
      out.add(
          Finding.of(
              FindingCode.SPF_VOID_LOOKUPS,
              domain,
              spf.voidLookups() + " SPF lookups find nothing (limit " + SpfResult.VOID_LIMIT + "): " + String.join(", ", spf.voidTerms())));
    }
    if (spf.all() != null && (spf.all().equals("+all") || spf.all().equals("?all"))) {
      out.add(Finding.of(FindingCode.SPF_ALL_PERMISSIVE, domain, "the SPF policy of " + domain + " ends in " + spf.all() + ": any host may send as the domain"));
    } else if (spf.all() == null && spf.complete()) {
      out.add(Finding.of(FindingCode.SPF_NO_ALL, domain, "the SPF policy of " + domain + " has no all term: unlisted hosts get neutral"));
    }
    if (record.terms().stream().anyMatch(t -> t.isMechanism("ptr"))) {
      out.add(Finding.of(FindingCode.SPF_PTR, domain, "the SPF record of " + domain + " uses ptr"));
    }
    includes(spf, out);
  }

  private static void includes(SpfResult spf, List<Finding> out) {
    List<String> ptr = new ArrayList<>();
    for (SpfInclude include : spf.includes()) {
      String target = include.domain();
      String how = include.via() + ":" + target + " (from " + include.from() + ")";
      if (include.problem() == null) {
        SpfRecord record = include.record();
        if (record != null && record.all().filter(a -> a.qualifier().equals("+")).isPresent() && include.via().equals("include")) {
          out.add(Finding.of(FindingCode.SPF_ALL_PERMISSIVE, target, how + " ends in +all: the include matches every host"));
        }
        if (record != null && record.terms().stream().anyMatch(t -> t.isMechanism("ptr")) && !ptr.contains(target)) {
          ptr.add(target);
          out.add(Finding.of(FindingCode.SPF_PTR, target, "the SPF record of " + target + ", reached by " + how + ", uses ptr"));
        }
        continue;
      }
      switch (include.problem()) {
        case NO_SPF ->
            out.add(Finding.of(FindingCode.SPF_INCLUDE_MISSING, target, how + ": " + target + " has no SPF record"
                + (include.outcome() != null && include.outcome().isAbsent() ? " (" + include.outcome().label() + ")" : "")));
        case MULTIPLE -> out.add(Finding.of(FindingCode.SPF_MULTIPLE, target, how + ": " + target + " has more than one SPF record"));
        case SYNTAX ->
            out.add(Finding.of(FindingCode.SPF_SYNTAX, target, how + ": " + String.join("; ", include.record().errors())));
        case LOOP -> out.add(Finding.of(FindingCode.SPF_INCLUDE_LOOP, target, how + " loops back to " + target));
        case MACRO, NOT_FOLLOWED -> {
          // not followed: the counts are lower bounds, which the result says
        }
      }
    }
  }
}
