package io.mxwatch.metrics;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Finding;
import io.mxwatch.audit.Severity;
import io.mxwatch.policy.DmarcRecord;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.smtp.SmtpProbe;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one check of a domain shows as numbers. Unknown values are NaN (Prometheus shows them as
 * such): the SPF lookup count of a domain without SPF, SMTP figures when probing is off.
 *
 * @param mxRecords MX records (the null MX counts as one; the implicit MX as none)
 * @param exchanges exchanges mail can be delivered to (resolvable names, implicit MX included)
 * @param reachable exchanges with at least one address that greeted with 220
 * @param primaryReachable such exchanges among those of the lowest preference
 * @param findings audit findings by severity
 * @param dmarcPolicy -1 no valid DMARC record, 0 none, 1 quarantine, 2 reject
 * @param mtaStsMode -1 no valid MTA-STS policy, 0 none, 1 testing, 2 enforce; NaN when unknown
 * @param mtaStsUncovered exchanges no mx pattern of the policy covers; NaN without a policy
 * @param dnssecStatus the DNSSEC validation of the MX answer: 1 secure, 0 insecure, -1 bogus; NaN
 *     when indeterminate or not validated
 * @param exchangeFigures per exchange, by name
 * @param dkimBits per configured DKIM selector, the size of its key in bits: 0 when it has no
 *     usable key (missing, revoked, unusable), NaN when the lookup failed
 * @param nameservers the zone's nameserver addresses asked; NaN when they were not asked
 * @param nameserversAnswering those that answered authoritatively
 * @param nameserversConsistent 1 when those agree on MX, SPF, DMARC and the SOA serial, 0 when
 *     not; NaN when fewer than two answered
 * @param serialSpread the newest SOA serial less the oldest among them; NaN when none answered
 */
public record CheckFigures(
    double durationSeconds,
    double mxRecords,
    double exchanges,
    double reachable,
    double primaryReachable,
    Map<Severity, Integer> findings,
    double spfLookups,
    double dmarcPolicy,
    double mtaStsMode,
    double mtaStsUncovered,
    double dnssecStatus,
    Map<String, Exchange> exchangeFigures,
    Map<String, Double> dkimBits,
    double nameservers,
    double nameserversAnswering,
    double nameserversConsistent,
    double serialSpread) {

  public CheckFigures {
    findings = Map.copyOf(findings);
    exchangeFigures = Map.copyOf(exchangeFigures);
    dkimBits = Map.copyOf(dkimBits);
  }

  /** Figures without DKIM keys. */
  public CheckFigures(
      double durationSeconds, double mxRecords, double exchanges, double reachable, double primaryReachable, Map<Severity, Integer> findings,
      double spfLookups, double dmarcPolicy, double mtaStsMode, double mtaStsUncovered, double dnssecStatus, Map<String, Exchange> exchangeFigures) {
    this(durationSeconds, mxRecords, exchanges, reachable, primaryReachable, findings, spfLookups, dmarcPolicy, mtaStsMode, mtaStsUncovered,
        dnssecStatus, exchangeFigures, Map.of());
  }

  /** Figures without the nameservers' view. */
  public CheckFigures(
      double durationSeconds, double mxRecords, double exchanges, double reachable, double primaryReachable, Map<Severity, Integer> findings,
      double spfLookups, double dmarcPolicy, double mtaStsMode, double mtaStsUncovered, double dnssecStatus, Map<String, Exchange> exchangeFigures,
      Map<String, Double> dkimBits) {
    this(durationSeconds, mxRecords, exchanges, reachable, primaryReachable, findings, spfLookups, dmarcPolicy, mtaStsMode, mtaStsUncovered,
        dnssecStatus, exchangeFigures, dkimBits, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  /**
   * @param up 1 when an address greeted with 220, else 0; NaN when not probed
   * @param greetingSeconds the fastest 220 greeting of its addresses; NaN when none
   * @param certNotAfter when the first of the certificates its addresses serve expires (epoch
   *     seconds, in the past once expired); NaN when no handshake completed
   * @param tlsVersion the oldest TLS version its addresses negotiated with a sender's handshake
   *     (1.2, 1.3); NaN when none
   * @param daneMatch 1 when the chains served at every address match its TLSA records, 0 when one
   *     does not (or STARTTLS is missing); NaN when DANE is not in effect
   */
  public record Exchange(int preference, double up, double greetingSeconds, double certNotAfter, double tlsVersion, double daneMatch) {
    public Exchange(int preference, double up, double greetingSeconds) {
      this(preference, up, greetingSeconds, Double.NaN, Double.NaN, Double.NaN);
    }
  }

  public static CheckFigures of(CheckResult result) {
    Snapshot s = result.snapshot();
    Map<Severity, Integer> findings = new EnumMap<>(Severity.class);
    for (Severity sev : Severity.values()) {
      findings.put(sev, 0);
    }
    for (Finding f : result.audit().findings()) {
      findings.merge(f.severity(), 1, Integer::sum);
    }
    Map<String, Exchange> exchanges = new LinkedHashMap<>();
    List<MxHost> deliverable = s.mx().deliverable();
    int lowest = deliverable.stream().mapToInt(MxHost::preference).min().orElse(0);
    double reachable = 0;
    double primaryReachable = 0;
    for (MxHost host : deliverable) {
      double up = Double.NaN;
      double greeting = Double.NaN;
      double notAfter = Double.NaN;
      double version = Double.NaN;
      if (s.smtpProbed()) {
        up = 0;
        for (SmtpProbe probe : probesOf(s, host)) {
          if (probe instanceof SmtpProbe.Ok ok) {
            up = 1;
            double seconds = (ok.connectMs() + ok.greetingMs()) / 1000;
            greeting = Double.isNaN(greeting) ? seconds : Math.min(greeting, seconds);
            for (io.mxwatch.tls.TlsResult t : ok.tls()) {
              if (t instanceof io.mxwatch.tls.TlsResult.Established e && e.leaf() != null) {
                double at = e.leaf().notAfter().getEpochSecond();
                notAfter = Double.isNaN(notAfter) ? at : Math.min(notAfter, at);
                if (t.requested().equals("any")) {
                  double v = tlsVersion(e.protocol());
                  version = Double.isNaN(version) ? v : Math.min(version, v);
                }
              }
            }
          }
        }
        reachable += up;
        if (host.preference() == lowest) {
          primaryReachable += up;
        }
      }
      exchanges.merge(
          host.exchange(), new Exchange(host.preference(), up, greeting, notAfter, version, io.mxwatch.audit.DaneRules.matches(s, host)), CheckFigures::better);
    }
    boolean probed = s.smtpProbed();
    boolean mxKnown = s.mx().mode() != MxResult.Mode.UNKNOWN;
    return new CheckFigures(
        s.durationMs() / 1000,
        mxKnown ? s.mx().mode() == MxResult.Mode.IMPLICIT ? 0 : s.mx().hosts().size() : Double.NaN,
        mxKnown ? exchanges.size() : Double.NaN,
        probed && mxKnown ? reachable : Double.NaN,
        probed && mxKnown ? primaryReachable : Double.NaN,
        findings,
        s.spf().record() != null ? s.spf().dnsLookups() : Double.NaN,
        dmarcPolicy(s),
        mtaStsMode(s),
        mtaStsUncovered(s),
        dnssecStatus(s),
        exchanges,
        dkimBits(s),
        s.authority() == null || s.authority().zone() == null ? Double.NaN : s.authority().servers().size(),
        s.authority() == null || s.authority().zone() == null ? Double.NaN : s.authority().answering().size(),
        consistent(s.authority()),
        serialSpread(s.authority()));
  }

  /** 1 when the answering nameservers agree on every record asked and the serial, 0 when not; NaN below two. */
  private static double consistent(io.mxwatch.snapshot.Authority a) {
    if (a == null || a.answering().size() < 2) {
      return Double.NaN;
    }
    var first = a.answering().getFirst();
    for (var v : a.answering()) {
      if (!java.util.Objects.equals(v.mx(), first.mx()) || !java.util.Objects.equals(v.spf(), first.spf())
          || !java.util.Objects.equals(v.dmarc(), first.dmarc()) || !java.util.Objects.equals(v.serial(), first.serial())) {
        return 0;
      }
    }
    return 1;
  }

  private static double serialSpread(io.mxwatch.snapshot.Authority a) {
    if (a == null) {
      return Double.NaN;
    }
    var serials = a.answering().stream().map(io.mxwatch.snapshot.Authority.Server::serial).filter(java.util.Objects::nonNull).mapToLong(Long::longValue).summaryStatistics();
    return serials.getCount() == 0 ? Double.NaN : serials.getMax() - serials.getMin();
  }

  private static Map<String, Double> dkimBits(Snapshot s) {
    if (s.dkim() == null) {
      return Map.of();
    }
    Map<String, Double> bits = new LinkedHashMap<>();
    for (io.mxwatch.policy.DkimResult d : s.dkim()) {
      io.mxwatch.policy.DkimKey k = d.key();
      bits.put(
          d.selector(),
          d.outcome().isFailure() ? Double.NaN : k == null || !k.valid() || k.revoked() || k.keyBits() == null ? 0.0 : k.keyBits().doubleValue());
    }
    return bits;
  }

  private static double dnssecStatus(Snapshot s) {
    io.mxwatch.dns.DnssecResult mx = s.mxDnssec();
    if (mx == null) {
      return Double.NaN;
    }
    return switch (mx.status()) {
      case SECURE -> 1;
      case INSECURE -> 0;
      case BOGUS -> -1;
      case INDETERMINATE -> Double.NaN;
    };
  }

  /** 1.0, 1.1, 1.2, 1.3 for TLSv1 … TLSv1.3; NaN for anything else. */
  static double tlsVersion(String protocol) {
    return switch (protocol) {
      case "TLSv1.3" -> 1.3;
      case "TLSv1.2" -> 1.2;
      case "TLSv1.1" -> 1.1;
      case "TLSv1" -> 1.0;
      default -> Double.NaN;
    };
  }

  private static double mtaStsMode(Snapshot s) {
    if (s.transport() == null || s.transport().mtaSts() == null || s.transport().mtaSts().outcome().isFailure()) {
      return Double.NaN;
    }
    var m = s.transport().mtaSts();
    if (m.record() == null || !m.record().valid()) {
      return -1;
    }
    if (!(m.fetch() instanceof io.mxwatch.tls.PolicyFetch.Fetched)) {
      return Double.NaN; // not fetched: what senders apply is not known
    }
    var p = m.policy();
    return p == null ? -1 : switch (p.mode()) {
      case "enforce" -> 2;
      case "testing" -> 1;
      default -> 0;
    };
  }

  private static double mtaStsUncovered(Snapshot s) {
    var p = s.transport() == null || s.transport().mtaSts() == null ? null : s.transport().mtaSts().policy();
    if (p == null || s.mx().mode() == MxResult.Mode.UNKNOWN) {
      return Double.NaN;
    }
    return s.mx().deliverable().stream().filter(h -> !p.covers(h.exchange())).count();
  }

  /** An exchange listed twice (same name, two preferences): the better of the two. */
  private static Exchange better(Exchange a, Exchange b) {
    return a.preference() <= b.preference() ? a : b;
  }

  private static List<SmtpProbe> probesOf(Snapshot s, MxHost host) {
    List<String> addresses = host.addresses().stream().map(MxHost.HostAddress::address).toList();
    return s.smtp().stream().filter(p -> addresses.contains(p.address())).toList();
  }

  private static double dmarcPolicy(Snapshot s) {
    if (s.dmarc().outcome().isFailure()) {
      return Double.NaN;
    }
    DmarcRecord r = s.dmarc().record();
    return r == null || !r.valid() ? -1 : DmarcRecord.strength(r.effectivePolicy());
  }
}
