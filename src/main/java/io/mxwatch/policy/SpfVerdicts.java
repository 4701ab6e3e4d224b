package io.mxwatch.policy;

import java.util.ArrayList;
import java.util.List;

/** Temporary: replaced by the audit. */
final class SpfVerdicts {
  static List<String> permanentErrors(SpfResult r) {
    List<String> e = new ArrayList<>();
    if (r.records().size() > 1) e.add("multiple");
    if (r.record() != null && !r.record().valid()) e.add("syntax " + r.record().errors());
    if (r.dnsLookups() > 10) e.add("lookups " + r.dnsLookups());
    if (r.voidLookups() > 2) e.add("voids " + r.voidTerms());
    e.addAll(r.mxOverLimit());
    for (SpfInclude i : r.includes()) {
      if (i.problem() != null && i.problem() != SpfInclude.Problem.MACRO && i.problem() != SpfInclude.Problem.NOT_FOLLOWED) {
        e.add(i.problem() + " " + i.domain() + (i.record() != null ? " " + i.record().errors() : ""));
      }
    }
    return e;
  }
}
