package io.mxwatch.tls;

import io.mxwatch.dns.DnsStatus;
import io.mxwatch.dns.DnssecResult;
import java.util.List;

/**
 * The TLSA records of one exchange ({@code _25._tcp.<exchange>}) and how the lookup went.
 *
 * @param outcome the lookup's outcome
 * @param dnssec its validation (senders only use TLSA records that are secure)
 * @param records the records, sorted, at most {@value #MAX_RECORDS}
 */
public record TlsaSet(DnsStatus outcome, DnssecResult dnssec, List<TlsaRecord> records) {
  /** TLSA records kept per exchange. */
  public static final int MAX_RECORDS = 16;

  public TlsaSet {
    records = List.copyOf(records);
  }

  /** Whether senders use DANE for this exchange: usable TLSA records, validated as secure. */
  public boolean inEffect() {
    return dnssec != null && dnssec.secure() && records.stream().anyMatch(TlsaRecord::usable);
  }

  /** Whether records are published at all, validated or not. */
  public boolean published() {
    return !records.isEmpty();
  }
}
