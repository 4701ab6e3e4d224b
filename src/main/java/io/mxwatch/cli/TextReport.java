package io.mxwatch.cli;

import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Finding;
import io.mxwatch.audit.Severity;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.policy.DmarcRecord;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfInclude;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The human report: per domain a status line that doubles as a Nagios plugin's first line, then
 * the records, the probes and the findings. Everything that came from the network is escaped.
 */
final class TextReport implements ReportWriter {
  private final PrintStream out;

  TextReport(PrintStream out) {
    this.out = out;
  }

  @Override
  public void begin() {}

  @Override
  public void result(CheckResult result) {
    Snapshot s = result.snapshot();
    List<Finding> problems = result.audit().findings().stream().filter(f -> f.severity() != Severity.INFO).toList();
    out.println(
        s.domain() + " " + result.status().name()
            + (problems.isEmpty() ? "" : " - " + problems.stream().map(f -> f.code().name()).distinct().collect(Collectors.joining(", "))));
    out.printf(Locale.ROOT, "  checked %s in %.0f ms%n", s.checkedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), s.durationMs());
    mx(s);
    dnssec(s);
    spf(s.spf());
    dmarc(s.dmarc());
    transport(s.transport());
    dkim(s.dkim());
    authority(s.authority());
    findings(result.audit().findings());
    out.println();
  }

  @Override
  public void failure(String domain, String message) {
    out.println(domain + " UNKNOWN - check failed: " + Printable.of(message));
    out.println();
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void end(Tally tally) {
    if (tally.domains() > 1) {
      out.println(tally.summary());
    }
    out.flush();
  }

  private void mx(Snapshot s) {
    MxResult mx = s.mx();
    String header = "  MX      ";
    switch (mx.mode()) {
      case UNKNOWN -> out.println(header + "unknown: the lookup failed (" + mx.outcome().label() + ")");
      case NONE -> out.println(header + "none (" + mx.outcome().label() + "), no address for an implicit MX");
      case NULL_MX -> out.println(header + "null MX: the domain accepts no mail");
      case IMPLICIT, MX -> {
        if (mx.mode() == MxResult.Mode.IMPLICIT) {
          out.println(header + "none: implicit MX, the domain's own addresses");
        }
        Map<String, SmtpProbe> probes = s.smtp().stream().collect(Collectors.toMap(SmtpProbe::address, Function.identity(), (a, b) -> a));
        boolean first = mx.mode() == MxResult.Mode.MX;
        for (MxHost host : mx.hosts()) {
          out.println((first ? header : "          ") + host(host));
          first = false;
          if (host.tlsa() != null) {
            out.println("              tlsa " + tlsa(host.tlsa()));
          }
          for (MxHost.HostAddress address : host.addresses()) {
            SmtpProbe probe = probes.get(address.address());
            if (probe != null) {
              out.println("              smtp " + probe(probe));
              if (probe instanceof SmtpProbe.Ok ok) {
                for (io.mxwatch.tls.TlsResult t : ok.tls()) {
                  out.println("                tls " + tls(t));
                }
              }
            }
          }
        }
        if (!s.smtpProbed()) {
          out.println("          (SMTP not probed)");
        }
      }
    }
  }

  private static String host(MxHost host) {
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "%3d %s", host.preference(), Printable.of(host.exchange())));
    if (host.ttl() > 0) {
      line.append("  ttl ").append(host.ttl());
    }
    if (host.cname() != null) {
      line.append("  CNAME ").append(Printable.of(host.cname()));
    }
    if (!host.resolvable()) {
      return line.toString();
    }
    for (MxHost.HostAddress a : host.addresses()) {
      line.append(a.ipv6() ? "  AAAA " : "  A ").append(a.address());
    }
    if (host.aOutcome() != null && host.aOutcome().isFailure()) {
      line.append("  A ").append(host.aOutcome().label());
    }
    if (host.aaaaOutcome() != null && host.aaaaOutcome().isFailure()) {
      line.append("  AAAA ").append(host.aaaaOutcome().label());
    }
    if (host.hasNoAddress()) {
      line.append("  (no address)");
    }
    return line.toString();
  }

  private static String probe(SmtpProbe probe) {
    String target = (probe.address().indexOf(':') >= 0 ? "[" + probe.address() + "]" : probe.address()) + ":" + probe.port();
    String outcome = String.format(Locale.ROOT, "%s %s %.0f ms", target, probe.outcome(), probe.elapsedMs());
    return switch (probe) {
      case SmtpProbe.Ok ok ->
          outcome + greeting(ok.greeting()) + (ok.startTls() ? "  STARTTLS" : "  no STARTTLS");
      case SmtpProbe.Rejected r -> outcome + " " + r.code() + greeting(r.greeting());
      case SmtpProbe.BadGreeting b -> outcome + ": " + Printable.of(b.reason());
      case SmtpProbe.Refused r -> outcome;
      case SmtpProbe.TimedOut t -> outcome + " (" + t.phase().label() + ")";
      case SmtpProbe.Reset r -> outcome + " (" + r.phase().label() + ": " + Printable.of(r.detail()) + ")";
      case SmtpProbe.Failed f -> outcome + ": " + Printable.of(f.detail());
      case SmtpProbe.Denied d -> "not probed: in " + d.range();
    };
  }

  /** One handshake: protocol, cipher and the leaf certificate, or why there is no session. */
  /** The DNSSEC status of the MX answer and of the exchanges' addresses, when validated. */
  private void dnssec(Snapshot s) {
    java.util.Map<String, java.util.List<String>> byStatus = new java.util.LinkedHashMap<>();
    for (io.mxwatch.dns.DnsLookup l : s.lookups()) {
      if (l.dnssec() != null && !l.type().equals("TLSA") && (l.type().equals("MX") || s.mx().hosts().stream().anyMatch(h -> h.exchange().equals(l.name())))) {
        byStatus.computeIfAbsent(Printable.of(l.dnssec().describe()), k -> new java.util.ArrayList<>()).add(l.type() + " " + l.name());
      }
    }
    String header = "  DNSSEC  ";
    for (var e : byStatus.entrySet()) {
      out.println(header + e.getKey() + ": " + String.join(", ", e.getValue()));
      header = "          ";
    }
  }

  private static String tlsa(io.mxwatch.tls.TlsaSet t) {
    String status = t.dnssec() == null ? "" : ", " + Printable.of(t.dnssec().describe());
    if (!t.published()) {
      return "none (" + t.outcome().label() + status + ")";
    }
    return t.records().stream().map(io.mxwatch.tls.TlsaRecord::describe).collect(Collectors.joining(", ")) + " (" + t.records().size() + " record" + (t.records().size() == 1 ? "" : "s") + status + ")";
  }

  private static String tls(io.mxwatch.tls.TlsResult t) {
    String asked = t.requested().equals("any") ? "" : "(" + t.requested() + " only) ";
    return switch (t) {
      case io.mxwatch.tls.TlsResult.Established e -> {
        io.mxwatch.tls.CertificateFacts leaf = e.leaf();
        String cert = leaf == null
            ? "no certificate"
            : Printable.of(leaf.subject()) + ", " + leaf.keyType() + " " + leaf.keyBits() + ", until " + leaf.notAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + (e.trusted() ? ", trusted" : ", untrusted: " + Printable.of(e.trustProblem()));
        yield asked + e.protocol() + " " + e.cipher() + "  " + cert;
      }
      case io.mxwatch.tls.TlsResult.Failed f -> asked + "failed (" + f.stage() + "): " + Printable.of(f.detail());
    };
  }

  private static String greeting(List<String> lines) {
    return lines.isEmpty() ? "" : "  \"" + Printable.of(lines.get(0)) + (lines.size() > 1 ? " ..." : "") + "\"";
  }

  /**
   * The records of a policy section, or why there are none; true when there are records to
   * describe further.
   */
  private boolean records(String header, DnsStatus outcome, List<String> records) {
    if (outcome.isFailure()) {
      out.println(header + "unknown: the lookup failed (" + outcome.label() + ")");
      return false;
    }
    if (records.isEmpty()) {
      out.println(header + "none");
      return false;
    }
    for (String record : records) {
      out.println(header + Printable.of(record));
      header = "          ";
    }
    return true;
  }

  private void spf(SpfResult spf) {
    if (!records("  SPF     ", spf.outcome(), spf.records())) {
      return;
    }
    if (spf.record() != null && spf.record().valid()) {
      out.printf(
          Locale.ROOT,
          "          %s%d/%d DNS lookups, %d/%d void lookups%s%n",
          spf.complete() ? "" : "at least ",
          spf.dnsLookups(),
          SpfResult.LOOKUP_LIMIT,
          spf.voidLookups(),
          SpfResult.VOID_LIMIT,
          spf.includes().isEmpty()
              ? ""
              : ", via " + spf.includes().stream().map(SpfInclude::domain).map(Printable::of).distinct().collect(Collectors.joining(" ")));
    }
  }

  private void dmarc(DmarcResult dmarc) {
    if (!records("  DMARC   ", dmarc.outcome(), dmarc.records())) {
      return;
    }
    DmarcRecord record = dmarc.record();
    if (record != null && record.valid()) {
      out.println(
          "          policy " + record.effectivePolicy()
              + ", subdomains " + record.effectiveSubdomainPolicy()
              + ", non-existent subdomains " + record.effectiveNonexistentPolicy()
              + (record.pct() != null ? ", pct " + record.pct() : "")
              + (record.testing() ? ", testing (t=y)" : ""));
    }
  }

  /** The zone's nameservers: one line per address, with its serial and MX set, or why it said nothing. */
  private void authority(io.mxwatch.snapshot.Authority a) {
    if (a == null) {
      return;
    }
    if (a.zone() == null) {
      out.println("  NS      zone not found (" + a.zoneOutcome().label() + ")");
      return;
    }
    out.println("  NS      zone " + Printable.of(a.zone()) + ": " + Printable.of(String.join(" ", a.nameservers()))
        + (a.parentNameservers() == null ? "" : a.parentNameservers().equals(a.nameservers()) ? " (as delegated)" : "; parent: " + Printable.of(String.join(" ", a.parentNameservers()))));
    for (io.mxwatch.snapshot.Authority.Server v : a.servers()) {
      String said = v.answered()
          ? "serial " + v.serial() + ", MX " + (v.mx().isEmpty() ? "none" : String.join(", ", v.mx()))
          : v.outcome() + (v.detail() == null ? "" : ": " + v.detail());
      out.println("          " + Printable.of(v.label()) + "  " + Printable.of(said));
    }
  }

  /** One line per selector: the key's type, size and digest, or why there is none to use. */
  private void dkim(List<io.mxwatch.policy.DkimResult> dkim) {
    if (dkim == null) {
      return;
    }
    String header = "  DKIM    ";
    for (io.mxwatch.policy.DkimResult d : dkim) {
      String key;
      if (d.outcome().isFailure()) {
        key = "unknown: the lookup failed (" + d.outcome().label() + ")";
      } else if (d.missing()) {
        key = "none (" + d.outcome().label() + ")";
      } else if (d.key() == null) {
        key = d.records().size() + " TXT records, none used";
      } else if (!d.key().valid()) {
        key = "unusable: " + Printable.of(String.join("; ", d.key().errors()));
      } else if (d.key().revoked()) {
        key = "revoked (p= empty)";
      } else {
        io.mxwatch.policy.DkimKey k = d.key();
        key = k.keyType().toUpperCase(Locale.ROOT) + " " + k.keyBits() + " bits, key SHA-256 " + k.keySha256().substring(0, 16) + "…"
            + (k.testing() ? ", testing (t=y)" : "");
      }
      out.println(header + Printable.of(d.selector()) + "  " + key);
      header = "          ";
    }
  }

  private void transport(io.mxwatch.snapshot.Transport t) {
    if (t == null) {
      return;
    }
    io.mxwatch.tls.MtaStsResult m = t.mtaSts();
    if (m != null && records("  MTA-STS ", m.outcome(), m.records())) {
      switch (m.fetch()) {
        case null -> {}
        case io.mxwatch.tls.PolicyFetch.Failed f -> out.println("          policy not fetched (" + f.stage() + "): " + Printable.of(f.detail()));
        case io.mxwatch.tls.PolicyFetch.Fetched f -> {
          io.mxwatch.tls.MtaStsPolicy p = f.policy();
          out.println(p.valid()
              ? "          policy " + p.mode() + ", max_age " + p.maxAge() + " s, mx " + Printable.of(String.join(" ", p.mx()))
              : "          policy invalid: " + Printable.of(String.join("; ", p.errors())));
        }
      }
    }
    io.mxwatch.tls.TlsRptResult r = t.tlsRpt();
    if (r != null) {
      records("  TLS-RPT ", r.outcome(), r.records());
    }
  }

  private void findings(List<Finding> findings) {
    if (findings.isEmpty()) {
      out.println("  Findings: none");
      return;
    }
    out.println("  Findings");
    for (Finding f : findings) {
      out.printf(
          Locale.ROOT,
          "    %-8s %-26s %s%n",
          f.severity().name(),
          f.code().name(),
          Printable.of(f.message()));
    }
  }
}
