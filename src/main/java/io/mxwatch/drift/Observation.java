package io.mxwatch.drift;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Finding;
import io.mxwatch.dns.DnsLookup;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One check reduced to what drift compares: the {@link DomainState} it saw and the lookups that
 * failed. Two checks of an unchanged domain give equal observations, which is what lets the store
 * keep one row for a run of identical checks.
 *
 * @param state what the check saw, with unknown sections null
 * @param failures the lookups that failed, as {@code name TYPE outcome}, in the order asked
 */
public record Observation(DomainState state, List<String> failures) {
  public Observation {
    failures = List.copyOf(failures);
  }

  public static Observation of(CheckResult result) {
    Snapshot s = result.snapshot();
    List<String> failures = new ArrayList<>();
    for (DnsLookup lookup : s.lookups()) {
      // a failed TLSA lookup leaves the records of the routing known: DANE's findings tell it
      if (lookup.outcome().isFailure() && !lookup.type().equals("TLSA")) {
        failures.add(lookup.name() + " " + lookup.type() + " " + lookup.outcome().label());
      }
    }
    List<DomainState.Seen> findings = null;
    if (failures.isEmpty()) {
      findings = new ArrayList<>();
      for (Finding f : result.audit().findings()) {
        if (DomainState.trackedFinding(f.code())) {
          findings.add(DomainState.Seen.of(f));
        }
      }
      findings.sort(DomainState.Seen.ORDER);
    }
    DomainState state =
        new DomainState(
            mx(s.mx()),
            s.spf().outcome().isFailure() ? null : sorted(s.spf().records()),
            s.dmarc().outcome().isFailure() ? null : sorted(s.dmarc().records()),
            s.smtpProbed() ? smtp(s.smtp()) : null,
            findings,
            s.smtpProbed() ? tls(s.smtp()) : null,
            mtaSts(s.transport()),
            tlsa(s.mx()),
            dnssec(s),
            dkim(s),
            nameservers(s));
    return new Observation(state, failures);
  }

  /** The MX set each nameserver that answered with authority serves; null when they were not asked. */
  private static SortedMap<String, DomainState.NsMx> nameservers(Snapshot s) {
    if (s.authority() == null || s.authority().zone() == null) {
      return null;
    }
    SortedMap<String, DomainState.NsMx> byServer = new TreeMap<>();
    for (io.mxwatch.snapshot.Authority.Server v : s.authority().answering()) {
      byServer.put(v.label(), new DomainState.NsMx(v.mx(), v.mxTtl()));
    }
    return byServer;
  }

  /** The key of each selector; empty without selectors, null when a key lookup failed. */
  private static SortedMap<String, DomainState.Dkim> dkim(Snapshot s) {
    SortedMap<String, DomainState.Dkim> bySelector = new TreeMap<>();
    if (s.dkim() == null) {
      return bySelector;
    }
    for (io.mxwatch.policy.DkimResult d : s.dkim()) {
      if (d.outcome().isFailure()) {
        return null;
      }
      io.mxwatch.policy.DkimKey k = d.key();
      bySelector.put(
          d.selector(),
          d.missing() ? DomainState.Dkim.MISSING
              : k == null || !k.valid() ? DomainState.Dkim.INVALID
              : k.revoked() ? DomainState.Dkim.REVOKED
              : new DomainState.Dkim("key", k.keyType(), k.keyBits(), k.keySha256()));
    }
    return bySelector;
  }

  /** The DNSSEC status of the MX answer; null when not validated or indeterminate. */
  private static String dnssec(Snapshot s) {
    io.mxwatch.dns.DnssecResult mx = s.mxDnssec();
    return mx == null || mx.status() == io.mxwatch.dns.DnssecStatus.INDETERMINATE ? null : mx.status().name().toLowerCase(Locale.ROOT);
  }

  /** The TLSA records per exchange that has some; null when not looked up or a lookup failed. */
  private static SortedMap<String, List<String>> tlsa(MxResult mx) {
    SortedMap<String, List<String>> byExchange = new TreeMap<>();
    boolean looked = false;
    for (MxHost host : mx.hosts()) {
      if (host.tlsa() == null) {
        continue;
      }
      looked = true;
      if (host.tlsa().outcome().isFailure()) {
        return null;
      }
      if (host.tlsa().published()) {
        byExchange.put(host.exchange(), host.tlsa().records().stream().map(r -> r.usage() + " " + r.selector() + " " + r.matchingType() + " " + r.data()).toList());
      }
    }
    return looked ? byExchange : null;
  }

  /** The certificates each address served, one per key type; null when no handshake was made. */
  private static SortedMap<String, List<DomainState.Cert>> tls(List<SmtpProbe> probes) {
    SortedMap<String, List<DomainState.Cert>> byAddress = new TreeMap<>();
    boolean any = false;
    for (SmtpProbe probe : probes) {
      if (!(probe instanceof SmtpProbe.Ok ok) || ok.tls().isEmpty()) {
        continue;
      }
      any = true;
      List<DomainState.Cert> certs = new ArrayList<>();
      for (io.mxwatch.tls.TlsResult t : ok.tls()) {
        if (t instanceof io.mxwatch.tls.TlsResult.Established e && e.leaf() != null
            && certs.stream().noneMatch(c -> c.cert().equals(e.leaf().certSha256()))) {
          var leaf = e.leaf();
          certs.add(new DomainState.Cert(leaf.keyType(), leaf.spkiSha256(), leaf.certSha256(), leaf.subject(), String.valueOf(leaf.notAfter())));
        }
      }
      if (!certs.isEmpty()) {
        byAddress.put(probe.address(), certs);
      }
    }
    return any ? byAddress : null;
  }

  /** The policy senders apply: none when no valid record is published; null when unknown. */
  private static DomainState.MtaSts mtaSts(io.mxwatch.snapshot.Transport t) {
    if (t == null || t.mtaSts() == null || t.mtaSts().outcome().isFailure()) {
      return null;
    }
    var m = t.mtaSts();
    if (m.record() == null || !m.record().valid()) {
      return DomainState.MtaSts.NONE;
    }
    if (!(m.fetch() instanceof io.mxwatch.tls.PolicyFetch.Fetched f)) {
      return null; // not fetched or the fetch failed: what senders have cached is not known
    }
    var p = f.policy();
    if (!p.valid()) {
      return DomainState.MtaSts.NONE;
    }
    return new DomainState.MtaSts(true, m.record().tags().get("id"), p.mode(), p.maxAge(), p.mx().stream().sorted().toList());
  }

  private static DomainState.Mx mx(MxResult mx) {
    if (mx.mode() == MxResult.Mode.UNKNOWN) {
      return null;
    }
    List<DomainState.Exchange> exchanges = new ArrayList<>();
    for (MxHost host : mx.hosts()) {
      boolean failed = host.aOutcome() != null && host.aOutcome().isFailure()
          || host.aaaaOutcome() != null && host.aaaaOutcome().isFailure();
      List<String> addresses = failed ? null : host.addresses().stream().map(MxHost.HostAddress::address).sorted().toList();
      exchanges.add(
          new DomainState.Exchange(host.preference(), host.exchange(), mx.authoritative() ? host.ttl() : null, addresses));
    }
    exchanges.sort(DomainState.Exchange.ORDER);
    return new DomainState.Mx(mx.mode().name().toLowerCase(Locale.ROOT), exchanges);
  }

  private static SortedMap<String, DomainState.Smtp> smtp(List<SmtpProbe> probes) {
    SortedMap<String, DomainState.Smtp> byAddress = new TreeMap<>();
    for (SmtpProbe probe : probes) {
      List<String> greeting = switch (probe) {
        case SmtpProbe.Ok ok -> ok.greeting();
        case SmtpProbe.Rejected r -> r.greeting();
        case SmtpProbe.BadGreeting b -> b.greeting();
        case SmtpProbe.TimedOut t -> List.of();
        case SmtpProbe.Reset r -> List.of();
        case SmtpProbe.Refused r -> List.of();
        case SmtpProbe.Failed f -> List.of();
        case SmtpProbe.Denied d -> List.of();
      };
      byAddress.put(probe.address(), DomainState.Smtp.of(!probe.unreachable(), probe.unreachable() || greeting.isEmpty() ? null : greeting.getFirst()));
    }
    return byAddress;
  }

  private static List<String> sorted(List<String> records) {
    return records.stream().sorted().toList();
  }
}
