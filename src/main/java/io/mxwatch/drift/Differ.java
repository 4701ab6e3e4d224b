package io.mxwatch.drift;

import io.mxwatch.audit.Severity;
import io.mxwatch.policy.DmarcParser;
import io.mxwatch.policy.DmarcRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The changes between two complete states of one domain, each readable as before → after. */
final class Differ {
  private Differ() {}

  static List<Change> diff(DomainState before, DomainState after) {
    List<Change> changes = new ArrayList<>();
    mx(before.mx(), after.mx(), changes);
    spf(before.spf(), after.spf(), changes);
    dmarc(before.dmarc(), after.dmarc(), changes);
    smtp(before, after, changes);
    tls(before, after, changes);
    tlsa(before, after, changes);
    dnssec(before.dnssec(), after.dnssec(), changes);
    mtaSts(before.mtaSts(), after.mtaSts(), changes);
    dkim(before.dkim(), after.dkim(), changes);
    findings(before, after, changes);
    return changes;
  }

  /**
   * The DKIM key of each selector both states know: published, replaced, withdrawn. A selector
   * added to or dropped from the configuration is no change of the records.
   */
  private static void dkim(java.util.SortedMap<String, DomainState.Dkim> before, java.util.SortedMap<String, DomainState.Dkim> after, List<Change> out) {
    if (before == null || after == null) {
      return;
    }
    for (Map.Entry<String, DomainState.Dkim> e : after.entrySet()) {
      DomainState.Dkim was = before.get(e.getKey());
      DomainState.Dkim now = e.getValue();
      if (was == null || was.equals(now)) {
        continue;
      }
      String subject = e.getKey() + "._domainkey";
      if (was.usable() && now.usable()) {
        if (!was.sha256().equals(now.sha256())) {
          out.add(Change.of(ChangeCode.DKIM_KEY_REPLACED, subject, was.shown(), now.shown()));
        }
      } else if (was.usable()) {
        out.add(Change.of(ChangeCode.DKIM_KEY_REMOVED, subject, was.shown(), now.shown()));
      } else if (now.usable()) {
        out.add(Change.of(ChangeCode.DKIM_KEY_ADDED, subject, was.shown(), now.shown()));
      }
    }
  }

  /** The DNSSEC status of the MX answer, when both checks could tell it. */
  private static void dnssec(String before, String after, List<Change> out) {
    if (before == null || after == null || before.equals(after)) {
      return;
    }
    ChangeCode code = after.equals("bogus") ? ChangeCode.DNSSEC_BROKEN
        : before.equals("secure") ? ChangeCode.DNSSEC_DISABLED
        : ChangeCode.DNSSEC_CHANGED;
    out.add(Change.of(code, "dnssec", before, after));
  }

  /** A certificate replaced at an address, per key type: the routine renewal, told as history. */
  private static void tls(DomainState before, DomainState after, List<Change> out) {
    if (before.tls() == null || after.tls() == null) {
      return;
    }
    for (Map.Entry<String, List<DomainState.Cert>> e : after.tls().entrySet()) {
      List<DomainState.Cert> old = before.tls().get(e.getKey());
      if (old == null) {
        continue; // no certificate before (no STARTTLS, a failed handshake): its findings say so
      }
      for (DomainState.Cert now : e.getValue()) {
        DomainState.Cert was = old.stream().filter(c -> c.keyType().equals(now.keyType())).findFirst().orElse(null);
        if (was != null && !was.cert().equals(now.cert())) {
          String subject = e.getKey() + " (" + String.join(", ", exchangesOf(after, e.getKey())) + ") " + now.keyType();
          String key = was.spki().equals(now.spki()) ? " (same key)" : " (new key)";
          out.add(Change.of(ChangeCode.TLS_CERT_REPLACED, subject, was.shown(), now.shown() + key));
        }
      }
    }
  }

  /**
   * TLSA records changed at an exchange, and a served key that changed with no TLSA record of
   * usage 3 naming it (usage 2 records name a CA, which the state does not keep: DANE_NO_MATCH, a
   * finding, covers them).
   */
  private static void tlsa(DomainState before, DomainState after, List<Change> out) {
    if (before.tlsa() != null && after.tlsa() != null && !before.tlsa().equals(after.tlsa())) {
      java.util.SortedSet<String> exchanges = new java.util.TreeSet<>(before.tlsa().keySet());
      exchanges.addAll(after.tlsa().keySet());
      for (String exchange : exchanges) {
        List<String> was = before.tlsa().getOrDefault(exchange, List.of());
        List<String> now = after.tlsa().getOrDefault(exchange, List.of());
        if (!was.equals(now)) {
          out.add(Change.of(ChangeCode.TLSA_CHANGED, "_25._tcp." + exchange, tlsaText(was), tlsaText(now)));
        }
      }
    }
    if (before.tls() == null || after.tls() == null || after.tlsa() == null || after.mx() == null) {
      return;
    }
    for (Map.Entry<String, List<DomainState.Cert>> e : after.tls().entrySet()) {
      List<DomainState.Cert> old = before.tls().get(e.getKey());
      if (old == null) {
        continue;
      }
      for (String exchange : exchangesOf(after, e.getKey())) {
        List<String> records = after.tlsa().getOrDefault(exchange, List.of());
        if (records.stream().noneMatch(r -> r.startsWith("3 ")) || records.stream().anyMatch(r -> r.startsWith("2 "))) {
          continue; // no DANE-EE, or a DANE-TA record that may name the new certificate's CA
        }
        for (DomainState.Cert now : e.getValue()) {
          boolean newKey = old.stream().noneMatch(c -> c.cert().equals(now.cert()));
          if (newKey && records.stream().noneMatch(r -> namesCert(r, now))) {
            DomainState.Cert was = old.stream().filter(c -> c.keyType().equals(now.keyType())).findFirst().orElse(old.getFirst());
            out.add(Change.of(ChangeCode.DANE_KEY_CHANGED_WITHOUT_TLSA, e.getKey() + " (" + exchange + ") " + now.keyType(), was.shown(),
                now.shown() + ", named by none of " + tlsaText(records)));
          }
        }
      }
    }
  }

  /**
   * Whether a DANE-EE record (as kept in the state) names the certificate or its key. Only
   * SHA-256 is kept of them: a record by SHA-512 or with the full data is not judged here (the
   * DANE_NO_MATCH finding is, from the served chain).
   */
  private static boolean namesCert(String record, DomainState.Cert cert) {
    String[] f = record.split(" ", 4);
    if (f.length < 4 || !f[0].equals("3")) {
      return false;
    }
    return !f[2].equals("1") || f[3].equals(f[1].equals("0") ? cert.cert() : cert.spki());
  }

  private static String tlsaText(List<String> records) {
    if (records.isEmpty()) {
      return Change.ABSENT;
    }
    List<String> shown = new ArrayList<>();
    for (String r : records) {
      String[] f = r.split(" ", 4);
      shown.add(f.length == 4 && f[3].length() > 16 ? f[0] + " " + f[1] + " " + f[2] + " " + f[3].substring(0, 16) + "…" : r);
    }
    return String.join(" | ", shown);
  }

  /**
   * The MTA-STS policy: weakened (enforce → testing → none or removed), changed without a new id
   * (senders keep the copy they cached), or changed with one.
   */
  private static void mtaSts(DomainState.MtaSts before, DomainState.MtaSts after, List<Change> out) {
    if (before == null || after == null || before.equals(after)) {
      return;
    }
    String subject = "mta-sts";
    if (after.strength() < before.strength()) {
      out.add(Change.of(ChangeCode.MTA_STS_MODE_WEAKENED, subject, before.policy(), after.policy()));
    } else if (before.published() && after.published() && java.util.Objects.equals(before.id(), after.id())) {
      if (!before.policy().equals(after.policy())) {
        out.add(Change.of(ChangeCode.MTA_STS_POLICY_CHANGED_WITHOUT_ID, subject, before.policy() + " (id " + before.id() + ")", after.policy() + " (id " + after.id() + ")"));
      }
    } else if (!before.policy().equals(after.policy())) {
      out.add(Change.of(ChangeCode.MTA_STS_POLICY_CHANGED, subject, before.policy(), after.policy()));
    }
  }

  private static void mx(DomainState.Mx before, DomainState.Mx after, List<Change> out) {
    if (before == null || after == null) {
      return;
    }
    for (DomainState.Exchange old : before.exchanges()) {
      DomainState.Exchange now = after.exchange(old.name());
      if (now == null) {
        out.add(Change.of(ChangeCode.MX_REMOVED, label(old.name()), old.preference() + " " + label(old.name()), Change.ABSENT));
        continue;
      }
      if (old.preference() != now.preference()) {
        out.add(
            Change.of(
                ChangeCode.MX_PREFERENCE_CHANGED, label(old.name()), String.valueOf(old.preference()), String.valueOf(now.preference())));
      }
      if (old.addresses() != null && now.addresses() != null && !old.addresses().equals(now.addresses())) {
        out.add(
            Change.of(ChangeCode.MX_ADDRESS_CHANGED, label(old.name()), listOrAbsent(old.addresses()), listOrAbsent(now.addresses())));
      }
      if (old.ttl() != null && now.ttl() != null && !old.ttl().equals(now.ttl())) {
        out.add(Change.of(ChangeCode.MX_TTL_CHANGED, label(old.name()), old.ttl() + " s", now.ttl() + " s"));
      }
    }
    for (DomainState.Exchange now : after.exchanges()) {
      if (before.exchange(now.name()) == null) {
        out.add(Change.of(ChangeCode.MX_ADDED, label(now.name()), Change.ABSENT, now.preference() + " " + label(now.name())));
      }
    }
  }

  private static String label(String exchange) {
    return exchange.equals(".") ? ". (null MX)" : exchange;
  }

  private static void spf(List<String> before, List<String> after, List<Change> out) {
    if (before == null || after == null || before.equals(after)) {
      return;
    }
    if (before.isEmpty()) {
      out.add(Change.of(ChangeCode.SPF_ADDED, "spf", Change.ABSENT, String.join(" | ", after)));
    } else if (after.isEmpty()) {
      out.add(Change.of(ChangeCode.SPF_REMOVED, "spf", String.join(" | ", before), Change.ABSENT));
    } else if (before.size() == 1 && after.size() == 1) {
      // term-level: the terms only the old record has → the terms only the new one has
      List<String> old = terms(before.getFirst());
      List<String> now = terms(after.getFirst());
      List<String> removed = minus(old, now);
      List<String> added = minus(now, old);
      if (removed.isEmpty() && added.isEmpty()) { // same terms, other order or case
        out.add(Change.of(ChangeCode.SPF_CHANGED, "spf", before.getFirst(), after.getFirst()));
      } else {
        out.add(Change.of(ChangeCode.SPF_CHANGED, "spf", listOrNone(removed), listOrNone(added)));
      }
    } else {
      out.add(Change.of(ChangeCode.SPF_CHANGED, "spf", String.join(" | ", before), String.join(" | ", after)));
    }
  }

  private static List<String> terms(String record) {
    return Arrays.stream(record.trim().split("\\s+")).skip(1).toList(); // without v=spf1
  }

  /** {@code a} without one occurrence of each element of {@code b}. */
  private static List<String> minus(List<String> a, List<String> b) {
    List<String> rest = new ArrayList<>(a);
    b.forEach(rest::remove);
    return rest;
  }

  private static void dmarc(List<String> before, List<String> after, List<Change> out) {
    if (before == null || after == null || before.equals(after)) {
      return;
    }
    if (before.isEmpty()) {
      out.add(Change.of(ChangeCode.DMARC_ADDED, "dmarc", Change.ABSENT, String.join(" | ", after)));
    } else if (after.isEmpty()) {
      out.add(Change.of(ChangeCode.DMARC_REMOVED, "dmarc", String.join(" | ", before), Change.ABSENT));
    } else {
      boolean weakened =
          before.size() == 1 && after.size() == 1 && weaker(DmarcParser.parse(before.getFirst()), DmarcParser.parse(after.getFirst()));
      out.add(
          Change.of(
              weakened ? ChangeCode.DMARC_POLICY_WEAKENED : ChangeCode.DMARC_CHANGED,
              "dmarc",
              String.join(" | ", before),
              String.join(" | ", after)));
    }
  }

  /** p or sp went down, or pct was lowered. A record receivers discard counts as p=none. */
  static boolean weaker(DmarcRecord before, DmarcRecord after) {
    return strength(after, false) < strength(before, false)
        || strength(after, true) < strength(before, true)
        || pct(after) < pct(before);
  }

  private static int strength(DmarcRecord record, boolean subdomains) {
    if (!record.valid()) {
      return 0;
    }
    return DmarcRecord.strength(subdomains ? record.effectiveSubdomainPolicy() : record.effectivePolicy());
  }

  private static int pct(DmarcRecord record) {
    return record.pct() == null ? 100 : record.pct();
  }

  private static void smtp(DomainState before, DomainState after, List<Change> out) {
    if (before.smtp() == null || after.smtp() == null) {
      return;
    }
    for (Map.Entry<String, DomainState.Smtp> e : before.smtp().entrySet()) {
      DomainState.Smtp now = after.smtp().get(e.getKey());
      DomainState.Smtp old = e.getValue();
      if (now == null) {
        continue; // the address left the MX set: MX_ADDRESS_CHANGED says so
      }
      String subject = e.getKey() + " (" + String.join(", ", exchangesOf(after, e.getKey())) + ")";
      if (old.reachable() && !now.reachable()) {
        out.add(Change.of(ChangeCode.SMTP_BECAME_UNREACHABLE, subject, "reachable", "unreachable"));
      } else if (!old.reachable() && now.reachable()) {
        out.add(Change.of(ChangeCode.SMTP_RECOVERED, subject, "unreachable", "reachable"));
      } else if (old.reachable() && !old.equals(now)) {
        out.add(Change.of(ChangeCode.SMTP_BANNER_CHANGED, subject, String.valueOf(old.shown()), String.valueOf(now.shown())));
      }
    }
  }

  private static List<String> exchangesOf(DomainState state, String address) {
    if (state.mx() == null) {
      return List.of();
    }
    return state.mx().exchanges().stream()
        .filter(x -> x.addresses() != null && x.addresses().contains(address))
        .map(DomainState.Exchange::name)
        .toList();
  }

  private static void findings(DomainState before, DomainState after, List<Change> out) {
    if (before.findings() == null || after.findings() == null) {
      return;
    }
    Map<String, DomainState.Seen> old = before.findingsByKey();
    Map<String, DomainState.Seen> now = after.findingsByKey();
    for (DomainState.Seen f : after.findings()) {
      DomainState.Seen was = old.get(f.key());
      if (was == null) {
        out.add(new Change(f.code(), f.severity(), f.subject(), Change.ABSENT, f.message()));
      } else if (f.severity().compareTo(was.severity()) > 0) {
        // the same finding, now worse (a nameserver inconsistency that lasted): a change of its own
        out.add(new Change(f.code(), f.severity(), f.subject(), was.severity().label() + ": " + was.message(), f.severity().label() + ": " + f.message()));
      }
    }
    for (DomainState.Seen f : before.findings()) {
      if (!now.containsKey(f.key())) {
        out.add(new Change(f.code(), Severity.INFO, f.subject(), f.message(), "cleared"));
      }
    }
  }

  /** The MX set as sorted {@code "PREFERENCE EXCHANGE"} entries. */
  static List<String> mxSet(DomainState.Mx mx) {
    return mx.exchanges().stream().map(e -> e.preference() + " " + e.name()).sorted().toList();
  }

  static String listOrAbsent(List<String> values) {
    return values.isEmpty() ? Change.ABSENT : String.join(", ", values);
  }

  private static String listOrNone(List<String> values) {
    return values.isEmpty() ? "(none)" : String.join(" ", values);
  }
}
