package io.mxwatch.policy;

import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * The DKIM key record of one selector as a check saw it, at {@code <selector>._domainkey.<domain>}.
 *
 * @param selector the selector, as configured
 * @param name where the key is published
 * @param outcome the TXT lookup
 * @param records every TXT record there, strings joined (a key record needs no {@code v=} tag, so
 *     none is filtered out); more than one leaves verifiers free to pick any
 * @param key the record parsed when there is exactly one; null otherwise
 */
public record DkimResult(String selector, String name, DnsStatus outcome, List<String> records, DkimKey key) {
  /** Most TXT records kept of one name: a key is one record, a hostile zone may serve hundreds. */
  public static final int MAX_RECORDS = 8;

  public DkimResult {
    records = List.copyOf(records);
  }

  /** The result of the TXT lookup at {@code name} for {@code selector}. */
  public static DkimResult of(String selector, String name, DnsOutcome txt) {
    List<String> all = TxtRecords.select(txt, text -> true);
    List<String> records = all.size() > MAX_RECORDS ? all.subList(0, MAX_RECORDS) : all;
    DkimKey key = all.size() == 1 ? DkimKeyParser.parse(records.getFirst()) : null;
    return new DkimResult(selector, name, txt.status(), records, key);
  }

  /** Whether the lookup answered that there is no record (NXDOMAIN, NODATA, or no TXT among the records). */
  public boolean missing() {
    return !outcome.isFailure() && records.isEmpty();
  }
}
