package io.mxwatch.policy;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * What a check found out about a domain's SPF.
 *
 * @param outcome the TXT lookup at the domain
 * @param records every {@code v=spf1} record at the domain (character-strings joined)
 * @param record the parsed record, when there is exactly one
 * @param dnsLookups terms that cost a DNS query, over the whole include tree (limit 10)
 * @param voidLookups queries of those terms that found nothing (limit 2)
 * @param complete whether every lookup needed for the counts was answered and followed; when
 *     false the counts are lower bounds
 * @param all the effective {@code all} term, following redirects, e.g. {@code -all}; null when
 *     there is none
 * @param includes every include or redirect target, in the order they were followed
 * @param voidTerms the terms whose lookup found nothing, e.g. {@code include:gone.example (nxdomain)}
 * @param mxOverLimit {@code mx} terms whose MX set has more than 10 records, which receivers must
 *     treat as a permerror (RFC 7208 §4.6.4)
 */
public record SpfResult(
    DnsStatus outcome,
    List<String> records,
    SpfRecord record,
    int dnsLookups,
    int voidLookups,
    boolean complete,
    String all,
    List<SpfInclude> includes,
    List<String> voidTerms,
    List<String> mxOverLimit) {

  /** RFC 7208 §4.6.4: at most 10 terms that cause DNS queries. */
  public static final int LOOKUP_LIMIT = 10;

  /** RFC 7208 §4.6.4: at most 2 void lookups. */
  public static final int VOID_LIMIT = 2;

  public SpfResult {
    records = List.copyOf(records);
    includes = List.copyOf(includes);
    voidTerms = List.copyOf(voidTerms);
    mxOverLimit = List.copyOf(mxOverLimit);
  }

  /** RFC 7208 §4.6.4: an mx mechanism may look up at most 10 exchanges. */
  public static final int MX_LIMIT = 10;

  /** A result for a domain whose SPF could not be analysed (lookup failed, none, several). */
  public static SpfResult unanalysed(DnsStatus outcome, List<String> records, SpfRecord record) {
    return new SpfResult(outcome, records, record, 0, 0, !outcome.isFailure(), null, List.of(), List.of(), List.of());
  }
}
