package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsLookup;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.smtp.SmtpProbe;
import java.time.Instant;
import java.util.List;

/**
 * Everything one check of one domain saw, as an immutable value. Failures are part of it: a
 * timed-out lookup is recorded in {@link #lookups()} and in the outcome of the section it belongs
 * to, never thrown and never mistaken for an absent record.
 *
 * @param domain the checked domain, lowercase, without the trailing dot
 * @param checkedAt when the check started
 * @param durationMs how long the check took
 * @param mx the exchanges and their addresses
 * @param spf the SPF record and its include tree
 * @param dmarc the DMARC record
 * @param smtpProbed whether exchanges were probed (false with probing turned off)
 * @param smtp one probe per exchange address, in exchange order
 * @param lookups every DNS lookup of the check with its outcome, in the order asked
 * @param transport MTA-STS and TLS-RPT; null in snapshots taken without them (and in those stored
 *     by versions before them)
 * @param dkim the DKIM key of each selector asked for, in the order given; null when none was
 *     asked for (and in snapshots stored by versions before them)
 * @param authority what each authoritative nameserver says; null when they were not asked (and in
 *     snapshots stored by versions before it)
 */
public record Snapshot(
    String domain,
    Instant checkedAt,
    double durationMs,
    MxResult mx,
    SpfResult spf,
    DmarcResult dmarc,
    boolean smtpProbed,
    List<SmtpProbe> smtp,
    List<DnsLookup> lookups,
    Transport transport,
    List<io.mxwatch.policy.DkimResult> dkim,
    Authority authority) {

  public Snapshot {
    smtp = List.copyOf(smtp);
    lookups = List.copyOf(lookups);
    dkim = dkim == null ? null : List.copyOf(dkim);
  }

  /** A snapshot without DKIM keys. */
  public Snapshot(
      String domain,
      Instant checkedAt,
      double durationMs,
      MxResult mx,
      SpfResult spf,
      DmarcResult dmarc,
      boolean smtpProbed,
      List<SmtpProbe> smtp,
      List<DnsLookup> lookups,
      Transport transport) {
    this(domain, checkedAt, durationMs, mx, spf, dmarc, smtpProbed, smtp, lookups, transport, null, null);
  }

  /** A snapshot without the nameservers' view. */
  public Snapshot(
      String domain,
      Instant checkedAt,
      double durationMs,
      MxResult mx,
      SpfResult spf,
      DmarcResult dmarc,
      boolean smtpProbed,
      List<SmtpProbe> smtp,
      List<DnsLookup> lookups,
      Transport transport,
      List<io.mxwatch.policy.DkimResult> dkim) {
    this(domain, checkedAt, durationMs, mx, spf, dmarc, smtpProbed, smtp, lookups, transport, dkim, null);
  }

  /** A snapshot without transport policies. */
  public Snapshot(
      String domain,
      Instant checkedAt,
      double durationMs,
      MxResult mx,
      SpfResult spf,
      DmarcResult dmarc,
      boolean smtpProbed,
      List<SmtpProbe> smtp,
      List<DnsLookup> lookups) {
    this(domain, checkedAt, durationMs, mx, spf, dmarc, smtpProbed, smtp, lookups, null, null, null);
  }

  /** The DNSSEC validation of the domain's MX answer; null when it was not validated. */
  public io.mxwatch.dns.DnssecResult mxDnssec() {
    for (io.mxwatch.dns.DnsLookup l : lookups) {
      if (l.type().equals("MX") && l.name().equals(domain) && l.dnssec() != null) {
        return l.dnssec();
      }
    }
    return null;
  }

  /** The exchanges that have {@code address}, in preference order. */
  public List<String> exchangesOf(String address) {
    return mx.hosts().stream()
        .filter(h -> h.addresses().stream().anyMatch(a -> a.address().equals(address)))
        .map(MxHost::exchange)
        .distinct()
        .toList();
  }
}
