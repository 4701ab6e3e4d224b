package io.mxwatch.drift;

import io.mxwatch.policy.DmarcParser;
import java.util.ArrayList;
import java.util.List;

/**
 * What the configuration declares a domain must publish. Where an expectation is given it is the
 * baseline for that part: a mismatch stays open until the records or the configuration change,
 * and approving the current state does not silence it.
 *
 * @param mx the expected MX set as {@code "PREFERENCE EXCHANGE"} entries, sorted; null when not
 *     declared
 * @param dmarcPolicy the expected DMARC {@code p} (none, quarantine, reject); null when not declared
 * @param spf the expected SPF record, exactly; null when not declared
 */
public record Expectations(List<String> mx, String dmarcPolicy, String spf) {
  public static final Expectations NONE = new Expectations(null, null, null);

  public Expectations {
    mx = mx == null ? null : mx.stream().sorted().toList();
  }

  /** The expectations the state does not meet, as EXPECTATION_MISMATCH changes. */
  List<Change> mismatches(DomainState state) {
    List<Change> out = new ArrayList<>();
    if (mx != null && state.mx() != null) {
      List<String> seen = Differ.mxSet(state.mx());
      if (!seen.equals(mx)) {
        out.add(Change.of(ChangeCode.EXPECTATION_MISMATCH, "mx", String.join(", ", mx), Differ.listOrAbsent(seen)));
      }
    }
    if (dmarcPolicy != null && state.dmarc() != null) {
      String seen = state.dmarc().size() == 1 ? "p=" + DmarcParser.parse(state.dmarc().getFirst()).effectivePolicy() : null;
      if (!("p=" + dmarcPolicy).equals(seen)) {
        out.add(
            Change.of(
                ChangeCode.EXPECTATION_MISMATCH,
                "dmarc",
                "p=" + dmarcPolicy,
                state.dmarc().isEmpty() ? Change.ABSENT : seen == null ? String.join(" | ", state.dmarc()) : seen));
      }
    }
    if (spf != null && state.spf() != null && !state.spf().equals(List.of(spf))) {
      out.add(Change.of(ChangeCode.EXPECTATION_MISMATCH, "spf", spf, Differ.listOrAbsent(state.spf())));
    }
    return out;
  }
}
