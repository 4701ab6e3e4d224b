package io.mxwatch.tls;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * A domain's MTA-STS as a check saw it.
 *
 * @param outcome the TXT lookup at {@code _mta-sts.<domain>}
 * @param records the TXT records there that begin with {@code v=STSv1}
 * @param record the record parsed; null when none begins with v=STSv1
 * @param fetch the policy fetch; null when the record gives senders no reason to fetch (none,
 *     several, invalid) or fetching is off
 */
public record MtaStsResult(DnsStatus outcome, List<String> records, TxtPolicyRecord record, PolicyFetch fetch) {
  public MtaStsResult {
    records = List.copyOf(records);
  }

  /** The policy senders apply: fetched and valid; null otherwise. */
  public MtaStsPolicy policy() {
    return fetch instanceof PolicyFetch.Fetched f && f.policy().valid() && record != null && record.valid() ? f.policy() : null;
  }

  /** Whether senders that fetched this policy enforce it. */
  public boolean enforced() {
    MtaStsPolicy p = policy();
    return p != null && "enforce".equals(p.mode());
  }
}
