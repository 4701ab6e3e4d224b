package io.mxwatch.policy;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * What a check found out about a domain's DMARC policy.
 *
 * @param outcome the TXT lookup at {@code _dmarc.<domain>}
 * @param name the queried name
 * @param records every DMARC record candidate found there
 * @param record the parsed record, when there is exactly one
 * @param reportAuthorizations for report destinations outside the domain's organisation, whether
 *     they accept its reports (RFC 9989 / RFC 7489 §7.1)
 */
public record DmarcResult(
    DnsStatus outcome,
    String name,
    List<String> records,
    DmarcRecord record,
    List<ReportAuthorization> reportAuthorizations) {

  public DmarcResult {
    records = List.copyOf(records);
    reportAuthorizations = List.copyOf(reportAuthorizations);
  }

  /**
   * The verification of one external report destination.
   *
   * @param uri the rua/ruf URI
   * @param destination the destination's domain
   * @param queryName {@code <domain>._report._dmarc.<destination>}
   * @param outcome the TXT lookup there
   * @param authorized whether a {@code v=DMARC1} record was found
   */
  public record ReportAuthorization(
      String uri, String destination, String queryName, DnsStatus outcome, boolean authorized) {}
}
