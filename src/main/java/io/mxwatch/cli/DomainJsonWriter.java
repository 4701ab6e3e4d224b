package io.mxwatch.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Finding;
import io.mxwatch.dns.DnsLookup;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.policy.DmarcRecord;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfInclude;
import io.mxwatch.policy.SpfRecord;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.policy.SpfTerm;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.MxHost;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.tls.CertificateFacts;
import io.mxwatch.tls.TlsResult;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Writes the documented domain object (docs/json-output.md) of one check straight into a {@link
 * JsonGenerator}: no intermediate tree, no reflection. The output is the same, key for key and
 * byte for byte, as {@link io.mxwatch.snapshot.SnapshotJson}'s mapping of the same values (snake_case
 * keys, absent values left out, lowercase enums but finding codes); {@code DomainJsonWriterTest}
 * holds the two together for every snapshot shape.
 */
final class DomainJsonWriter {
  private DomainJsonWriter() {}

  static void write(JsonGenerator g, CheckResult result) throws IOException {
    Snapshot s = result.snapshot();
    g.writeStartObject();
    g.writeStringField("domain", s.domain());
    g.writeStringField("checked_at", s.checkedAt().toString());
    g.writeStringField("status", result.status().label());
    g.writeNumberField("duration_ms", s.durationMs());
    if (s.mx() != null) {
      g.writeFieldName("mx");
      mx(g, s.mx());
    }
    if (s.spf() != null) {
      g.writeFieldName("spf");
      spf(g, s.spf());
    }
    if (s.dmarc() != null) {
      g.writeFieldName("dmarc");
      dmarc(g, s.dmarc());
    }
    if (s.transport() != null) {
      g.writeFieldName("transport");
      transport(g, s.transport());
    }
    if (s.dkim() != null) {
      g.writeArrayFieldStart("dkim");
      for (io.mxwatch.policy.DkimResult d : s.dkim()) {
        dkim(g, d);
      }
      g.writeEndArray();
    }
    if (s.authority() != null) {
      g.writeFieldName("authority");
      authority(g, s.authority());
    }
    g.writeBooleanField("smtp_probed", s.smtpProbed());
    g.writeArrayFieldStart("smtp");
    for (SmtpProbe probe : s.smtp()) {
      probe(g, probe, s.exchangesOf(probe.address()));
    }
    g.writeEndArray();
    g.writeArrayFieldStart("findings");
    for (Finding f : result.audit().findings()) {
      g.writeStartObject();
      g.writeStringField("code", f.code().name());
      enumField(g, "severity", f.severity());
      stringField(g, "subject", f.subject());
      stringField(g, "message", f.message());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("lookups");
    for (DnsLookup l : s.lookups()) {
      g.writeStartObject();
      stringField(g, "name", l.name());
      stringField(g, "type", l.type());
      outcomeField(g, "outcome", l.outcome());
      stringField(g, "detail", l.detail());
      dnssec(g, l.dnssec());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void mx(JsonGenerator g, MxResult mx) throws IOException {
    g.writeStartObject();
    outcomeField(g, "outcome", mx.outcome());
    enumField(g, "mode", mx.mode());
    g.writeBooleanField("authoritative", mx.authoritative());
    g.writeArrayFieldStart("hosts");
    for (MxHost h : mx.hosts()) {
      g.writeStartObject();
      g.writeNumberField("preference", h.preference());
      stringField(g, "exchange", h.exchange());
      g.writeNumberField("ttl", h.ttl());
      stringField(g, "cname", h.cname());
      outcomeField(g, "a_outcome", h.aOutcome());
      outcomeField(g, "aaaa_outcome", h.aaaaOutcome());
      g.writeArrayFieldStart("addresses");
      for (MxHost.HostAddress a : h.addresses()) {
        g.writeStartObject();
        stringField(g, "address", a.address());
        g.writeNumberField("ttl", a.ttl());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (h.tlsa() != null) {
        g.writeObjectFieldStart("tlsa");
        outcomeField(g, "outcome", h.tlsa().outcome());
        dnssec(g, h.tlsa().dnssec());
        g.writeArrayFieldStart("records");
        for (io.mxwatch.tls.TlsaRecord r : h.tlsa().records()) {
          g.writeStartObject();
          g.writeNumberField("usage", r.usage());
          g.writeNumberField("selector", r.selector());
          g.writeNumberField("matching_type", r.matchingType());
          stringField(g, "data", r.data());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void spf(JsonGenerator g, SpfResult spf) throws IOException {
    g.writeStartObject();
    outcomeField(g, "outcome", spf.outcome());
    strings(g, "records", spf.records());
    if (spf.record() != null) {
      g.writeFieldName("record");
      spfRecord(g, spf.record());
    }
    g.writeNumberField("dns_lookups", spf.dnsLookups());
    g.writeNumberField("void_lookups", spf.voidLookups());
    g.writeBooleanField("complete", spf.complete());
    stringField(g, "all", spf.all());
    g.writeArrayFieldStart("includes");
    for (SpfInclude i : spf.includes()) {
      g.writeStartObject();
      stringField(g, "domain", i.domain());
      stringField(g, "via", i.via());
      stringField(g, "from", i.from());
      g.writeNumberField("depth", i.depth());
      outcomeField(g, "outcome", i.outcome());
      if (i.record() != null) {
        g.writeFieldName("record");
        spfRecord(g, i.record());
      }
      enumField(g, "problem", i.problem());
      g.writeEndObject();
    }
    g.writeEndArray();
    strings(g, "void_terms", spf.voidTerms());
    strings(g, "mx_over_limit", spf.mxOverLimit());
    g.writeEndObject();
  }

  private static void spfRecord(JsonGenerator g, SpfRecord r) throws IOException {
    g.writeStartObject();
    stringField(g, "text", r.text());
    g.writeArrayFieldStart("terms");
    for (SpfTerm t : r.terms()) {
      g.writeStartObject();
      stringField(g, "text", t.text());
      g.writeBooleanField("modifier", t.modifier());
      stringField(g, "qualifier", t.qualifier());
      stringField(g, "name", t.name());
      stringField(g, "domain_spec", t.domainSpec());
      stringField(g, "network", t.network());
      g.writeEndObject();
    }
    g.writeEndArray();
    strings(g, "errors", r.errors());
    g.writeEndObject();
  }

  private static void dmarc(JsonGenerator g, DmarcResult dmarc) throws IOException {
    g.writeStartObject();
    outcomeField(g, "outcome", dmarc.outcome());
    stringField(g, "name", dmarc.name());
    strings(g, "records", dmarc.records());
    DmarcRecord r = dmarc.record();
    if (r != null) {
      g.writeObjectFieldStart("record");
      stringField(g, "text", r.text());
      g.writeArrayFieldStart("tags");
      for (DmarcRecord.DmarcTag t : r.tags()) {
        g.writeStartObject();
        stringField(g, "name", t.name());
        stringField(g, "value", t.value());
        g.writeEndObject();
      }
      g.writeEndArray();
      stringField(g, "policy", r.policy());
      stringField(g, "subdomain_policy", r.subdomainPolicy());
      stringField(g, "nonexistent_policy", r.nonexistentPolicy());
      if (r.pct() != null) {
        g.writeNumberField("pct", r.pct());
      }
      g.writeBooleanField("testing", r.testing());
      uris(g, "rua", r.rua());
      uris(g, "ruf", r.ruf());
      strings(g, "errors", r.errors());
      strings(g, "warnings", r.warnings());
      g.writeEndObject();
    }
    g.writeArrayFieldStart("report_authorizations");
    for (DmarcResult.ReportAuthorization a : dmarc.reportAuthorizations()) {
      g.writeStartObject();
      stringField(g, "uri", a.uri());
      stringField(g, "destination", a.destination());
      stringField(g, "query_name", a.queryName());
      outcomeField(g, "outcome", a.outcome());
      g.writeBooleanField("authorized", a.authorized());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void uris(JsonGenerator g, String field, List<DmarcRecord.DmarcUri> uris) throws IOException {
    g.writeArrayFieldStart(field);
    for (DmarcRecord.DmarcUri u : uris) {
      g.writeStartObject();
      stringField(g, "uri", u.uri());
      stringField(g, "domain", u.domain());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** One {@code smtp[]} entry: address, port, exchanges, then the outcome and its own keys. */
  private static void probe(JsonGenerator g, SmtpProbe probe, List<String> exchanges) throws IOException {
    g.writeStartObject();
    stringField(g, "address", probe.address());
    g.writeNumberField("port", probe.port());
    strings(g, "exchanges", exchanges);
    g.writeStringField("outcome", probe.outcome());
    g.writeNumberField("elapsed_ms", probe.elapsedMs());
    switch (probe) {
      case SmtpProbe.Ok o -> {
        g.writeNumberField("connect_ms", o.connectMs());
        g.writeNumberField("greeting_ms", o.greetingMs());
        strings(g, "greeting", o.greeting());
        g.writeNumberField("ehlo_code", o.ehloCode());
        strings(g, "extensions", o.extensions());
        g.writeArrayFieldStart("tls");
        for (TlsResult t : o.tls()) {
          tls(g, t);
        }
        g.writeEndArray();
      }
      case SmtpProbe.Rejected r -> {
        g.writeNumberField("code", r.code());
        strings(g, "greeting", r.greeting());
      }
      case SmtpProbe.BadGreeting b -> {
        stringField(g, "reason", b.reason());
        strings(g, "greeting", b.greeting());
      }
      case SmtpProbe.Refused r -> stringField(g, "detail", r.detail());
      case SmtpProbe.TimedOut t -> {
        enumField(g, "phase", t.phase());
        strings(g, "greeting", t.greeting());
      }
      case SmtpProbe.Reset r -> {
        enumField(g, "phase", r.phase());
        stringField(g, "detail", r.detail());
        strings(g, "greeting", r.greeting());
      }
      case SmtpProbe.Failed f -> stringField(g, "detail", f.detail());
      case SmtpProbe.Denied d -> stringField(g, "range", d.range());
    }
    g.writeEndObject();
  }

  private static void authority(JsonGenerator g, io.mxwatch.snapshot.Authority a) throws IOException {
    g.writeStartObject();
    stringField(g, "zone", a.zone());
    outcomeField(g, "zone_outcome", a.zoneOutcome());
    strings(g, "nameservers", a.nameservers());
    if (a.parentNameservers() != null) {
      strings(g, "parent_nameservers", a.parentNameservers());
    }
    stringField(g, "parent_detail", a.parentDetail());
    g.writeArrayFieldStart("servers");
    for (io.mxwatch.snapshot.Authority.Server v : a.servers()) {
      g.writeStartObject();
      stringField(g, "nameserver", v.nameserver());
      stringField(g, "address", v.address());
      stringField(g, "outcome", v.outcome());
      stringField(g, "detail", v.detail());
      if (v.serial() != null) {
        g.writeNumberField("serial", v.serial());
      }
      if (v.soaTtl() != null) {
        g.writeNumberField("soa_ttl", v.soaTtl());
      }
      if (v.mx() != null) {
        strings(g, "mx", v.mx());
      }
      if (v.mxTtl() != null) {
        g.writeNumberField("mx_ttl", v.mxTtl());
      }
      if (v.spf() != null) {
        strings(g, "spf", v.spf());
      }
      if (v.dmarc() != null) {
        strings(g, "dmarc", v.dmarc());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void dkim(JsonGenerator g, io.mxwatch.policy.DkimResult d) throws IOException {
    g.writeStartObject();
    stringField(g, "selector", d.selector());
    stringField(g, "name", d.name());
    outcomeField(g, "outcome", d.outcome());
    strings(g, "records", d.records());
    io.mxwatch.policy.DkimKey k = d.key();
    if (k != null) {
      g.writeObjectFieldStart("key");
      stringField(g, "key_type", k.keyType());
      g.writeBooleanField("revoked", k.revoked());
      if (k.keyBits() != null) {
        g.writeNumberField("key_bits", k.keyBits());
      }
      stringField(g, "key_sha256", k.keySha256());
      g.writeBooleanField("testing", k.testing());
      strings(g, "errors", k.errors());
      strings(g, "warnings", k.warnings());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void transport(JsonGenerator g, io.mxwatch.snapshot.Transport t) throws IOException {
    g.writeStartObject();
    io.mxwatch.tls.MtaStsResult m = t.mtaSts();
    if (m != null) {
      g.writeObjectFieldStart("mta_sts");
      outcomeField(g, "outcome", m.outcome());
      strings(g, "records", m.records());
      txtRecord(g, m.record());
      if (m.fetch() != null) {
        io.mxwatch.tls.PolicyFetch f = m.fetch();
        g.writeObjectFieldStart("fetch");
        g.writeStringField("outcome", f.outcome());
        stringField(g, "url", f.url());
        g.writeNumberField("elapsed_ms", f.elapsedMs());
        switch (f) {
          case io.mxwatch.tls.PolicyFetch.Fetched ok -> {
            stringField(g, "address", ok.address());
            stringField(g, "body_sha256", ok.bodySha256());
            if (ok.policy() != null) {
              io.mxwatch.tls.MtaStsPolicy p = ok.policy();
              g.writeObjectFieldStart("policy");
              stringField(g, "version", p.version());
              stringField(g, "mode", p.mode());
              g.writeNumberField("max_age", p.maxAge());
              strings(g, "mx", p.mx());
              strings(g, "errors", p.errors());
              strings(g, "warnings", p.warnings());
              g.writeEndObject();
            }
          }
          case io.mxwatch.tls.PolicyFetch.Failed failed -> {
            stringField(g, "stage", failed.stage());
            stringField(g, "detail", failed.detail());
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    io.mxwatch.tls.TlsRptResult r = t.tlsRpt();
    if (r != null) {
      g.writeObjectFieldStart("tls_rpt");
      outcomeField(g, "outcome", r.outcome());
      strings(g, "records", r.records());
      txtRecord(g, r.record());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void txtRecord(JsonGenerator g, io.mxwatch.tls.TxtPolicyRecord record) throws IOException {
    if (record == null) {
      return;
    }
    g.writeObjectFieldStart("record");
    stringField(g, "text", record.text());
    g.writeObjectFieldStart("tags");
    for (var e : record.tags().entrySet()) {
      stringField(g, e.getKey(), e.getValue());
    }
    g.writeEndObject();
    strings(g, "errors", record.errors());
    g.writeEndObject();
  }

  /** One handshake: its outcome and what it asked for, then what it found. */
  private static void tls(JsonGenerator g, TlsResult t) throws IOException {
    g.writeStartObject();
    g.writeStringField("outcome", t.outcome());
    stringField(g, "requested", t.requested());
    g.writeNumberField("elapsed_ms", t.elapsedMs());
    switch (t) {
      case TlsResult.Established e -> {
        stringField(g, "protocol", e.protocol());
        stringField(g, "cipher", e.cipher());
        g.writeArrayFieldStart("chain");
        for (CertificateFacts c : e.chain()) {
          g.writeStartObject();
          stringField(g, "subject", c.subject());
          strings(g, "dns_names", c.dnsNames());
          stringField(g, "issuer", c.issuer());
          if (c.notBefore() != null) {
            g.writeStringField("not_before", c.notBefore().toString());
          }
          if (c.notAfter() != null) {
            g.writeStringField("not_after", c.notAfter().toString());
          }
          stringField(g, "key_type", c.keyType());
          g.writeNumberField("key_bits", c.keyBits());
          stringField(g, "spki_sha256", c.spkiSha256());
          stringField(g, "spki_sha512", c.spkiSha512());
          stringField(g, "cert_sha256", c.certSha256());
          stringField(g, "cert_sha512", c.certSha512());
          if (c.signedByNext() != null) {
            g.writeBooleanField("signed_by_next", c.signedByNext());
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("trusted", e.trusted());
        stringField(g, "trust_problem", e.trustProblem());
      }
      case TlsResult.Failed f -> {
        stringField(g, "stage", f.stage());
        stringField(g, "detail", f.detail());
        stringField(g, "old_protocol", f.oldProtocol());
      }
    }
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /** A string field, left out when null (the mapping's NON_NULL inclusion). */
  private static void dnssec(JsonGenerator g, io.mxwatch.dns.DnssecResult d) throws IOException {
    if (d == null) {
      return;
    }
    g.writeObjectFieldStart("dnssec");
    enumField(g, "status", d.status());
    stringField(g, "reason", d.reason());
    if (d.signaturesExpire() != null) {
      g.writeStringField("signatures_expire", d.signaturesExpire().toString());
    }
    g.writeEndObject();
  }

  private static void stringField(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private static void outcomeField(JsonGenerator g, String field, DnsStatus outcome) throws IOException {
    if (outcome != null) {
      g.writeStringField(field, outcome.label());
    }
  }

  private static void enumField(JsonGenerator g, String field, Enum<?> value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value.name().toLowerCase(Locale.ROOT));
    }
  }
}
