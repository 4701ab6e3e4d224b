package io.mxwatch.audit;

import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Findings on the SMTP probes of the exchanges. */
final class SmtpRules {
  private SmtpRules() {}

  static void check(Snapshot s, List<Finding> out) {
    if (!s.smtpProbed() || s.smtp().isEmpty()) {
      return;
    }
    Map<String, SmtpProbe> byAddress = new HashMap<>();
    for (SmtpProbe probe : s.smtp()) {
      byAddress.put(probe.address(), probe);
      String subject = subject(s, probe);
      switch (probe) {
        case SmtpProbe.Ok ok -> {
          if (!ok.startTls()) {
            out.add(Finding.of(FindingCode.SMTP_NO_STARTTLS, subject, subject + " does not offer STARTTLS"
                + (ok.ehloCode() == 250 ? "" : " (EHLO answered " + ok.ehloCode() + ")")));
          }
        }
        case SmtpProbe.Rejected r ->
            out.add(Finding.of(FindingCode.SMTP_REJECTING, subject, subject + " greets with " + r.code() + greeting(r.greeting())));
        case SmtpProbe.BadGreeting b ->
            out.add(Finding.of(FindingCode.SMTP_BAD_GREETING, subject, subject + ": " + b.reason()));
        case SmtpProbe.Refused r ->
            out.add(Finding.of(FindingCode.SMTP_UNREACHABLE, subject, subject + ": connection refused"));
        case SmtpProbe.TimedOut t ->
            out.add(Finding.of(FindingCode.SMTP_UNREACHABLE, subject, subject + ": no " + switch (t.phase()) {
              case CONNECT -> "connection";
              case GREETING -> "greeting";
              case EHLO -> "answer to EHLO";
            } + " within the timeout"));
        case SmtpProbe.Reset r ->
            out.add(Finding.of(FindingCode.SMTP_UNREACHABLE, subject, subject + ": " + r.detail() + " during " + r.phase().label()));
        case SmtpProbe.Failed f ->
            out.add(Finding.of(FindingCode.SMTP_UNREACHABLE, subject, subject + ": " + f.detail()));
        case SmtpProbe.Denied d ->
            out.add(
                Finding.of(
                    FindingCode.SMTP_ADDRESS_NOT_PUBLIC,
                    subject,
                    subject + ": not probed: " + d.address() + " is in " + d.range() + ", which senders on the internet cannot reach (smtp.deny)"));
      }
    }
    if (s.smtp().stream().noneMatch(SmtpProbe::accepting)) {
      out.add(
          Finding.of(
              FindingCode.SMTP_ALL_UNREACHABLE,
              s.domain(),
              "none of the " + s.smtp().size() + " exchange address(es) gave a 220 greeting: mail cannot be delivered"));
      return;
    }
    List<MxHost> deliverable = s.mx().deliverable();
    int primary = deliverable.stream().mapToInt(MxHost::preference).min().orElse(0);
    List<MxHost> primaries = deliverable.stream().filter(h -> h.preference() == primary).toList();
    boolean primaryProbed = primaries.stream().flatMap(h -> h.addresses().stream()).anyMatch(a -> byAddress.containsKey(a.address()));
    boolean primaryAccepting =
        primaries.stream()
            .flatMap(h -> h.addresses().stream())
            .map(a -> byAddress.get(a.address()))
            .anyMatch(p -> p != null && p.accepting());
    if (primaryProbed && !primaryAccepting && primaries.size() < deliverable.size()) {
      out.add(
          Finding.of(
              FindingCode.SMTP_PRIMARY_UNREACHABLE,
              s.domain(),
              "no primary exchange (preference " + primary + ": "
                  + String.join(", ", primaries.stream().map(MxHost::exchange).toList())
                  + ") gave a 220 greeting; mail depends on the backups"));
    }
  }

  /** "mx1.example.com 192.0.2.1:25", "mx1.example.com [2001:db8::1]:25": stable per exchange address. */
  static String subject(Snapshot s, SmtpProbe probe) {
    List<String> exchanges = s.exchangesOf(probe.address());
    String host = probe.address().indexOf(':') >= 0 ? "[" + probe.address() + "]" : probe.address();
    return (exchanges.isEmpty() ? "" : exchanges.get(0) + " ") + host + ":" + probe.port();
  }

  private static String greeting(List<String> lines) {
    return lines.isEmpty() ? "" : " \"" + lines.get(0) + "\"";
  }
}
