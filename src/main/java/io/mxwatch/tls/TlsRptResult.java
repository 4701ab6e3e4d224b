package io.mxwatch.tls;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * A domain's TLS-RPT record (RFC 8460) as a check saw it.
 *
 * @param outcome the TXT lookup at {@code _smtp._tls.<domain>}
 * @param records the TXT records there that begin with {@code v=TLSRPTv1}
 * @param record the record parsed; null when none begins with v=TLSRPTv1
 */
public record TlsRptResult(DnsStatus outcome, List<String> records, TxtPolicyRecord record) {
  public TlsRptResult {
    records = List.copyOf(records);
  }
}
