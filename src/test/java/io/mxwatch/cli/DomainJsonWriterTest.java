package io.mxwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mxwatch.audit.Audit;
import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Finding;
import io.mxwatch.audit.FindingCode;
import io.mxwatch.audit.FindingScenariosTest;
import io.mxwatch.audit.Severity;
import io.mxwatch.audit.Status;
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
import io.mxwatch.snapshot.SnapshotJson;
import io.mxwatch.testing.CheckFixture;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The report's streaming writer against the reference: Jackson databind over the same records with
 * the one mapping of {@link SnapshotJson} (the way reports were written before). The two must give
 * the same bytes, for hand-made snapshots that fill every optional field and leave it out, every
 * probe variant and every enum value, and for the real snapshot of every finding scenario.
 */
class DomainJsonWriterTest {
  private static final ObjectMapper MAPPER = SnapshotJson.mapper();

  /** The documented domain object as databind writes it: the reference. */
  @JsonPropertyOrder({
    "domain", "checked_at", "status", "duration_ms", "mx", "spf", "dmarc", "transport", "dkim", "authority", "smtp_probed", "smtp", "findings", "lookups"
  })
  record DomainObject(
      String domain,
      String checkedAt,
      String status,
      double durationMs,
      MxResult mx,
      SpfResult spf,
      DmarcResult dmarc,
      io.mxwatch.snapshot.Transport transport,
      List<io.mxwatch.policy.DkimResult> dkim,
      io.mxwatch.snapshot.Authority authority,
      boolean smtpProbed,
      List<JsonNode> smtp,
      List<Finding> findings,
      List<DnsLookup> lookups) {

    static DomainObject of(CheckResult result) {
      Snapshot s = result.snapshot();
      List<JsonNode> smtp = new ArrayList<>();
      for (SmtpProbe probe : s.smtp()) {
        ObjectNode entry = MAPPER.createObjectNode();
        entry.put("address", probe.address());
        entry.put("port", probe.port());
        ArrayNode exchanges = entry.putArray("exchanges");
        s.exchangesOf(probe.address()).forEach(exchanges::add);
        ObjectNode rest = MAPPER.valueToTree(probe);
        rest.remove("address");
        rest.remove("port");
        entry.setAll(rest);
        smtp.add(entry);
      }
      return new DomainObject(
          s.domain(), s.checkedAt().toString(), result.status().label(), s.durationMs(), s.mx(), s.spf(),
          s.dmarc(), s.transport(), s.dkim(), s.authority(), s.smtpProbed(), smtp, result.audit().findings(), s.lookups());
    }
  }

  private static String streamed(CheckResult result) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      DomainJsonWriter.write(g, result);
    }
    return out.toString();
  }

  private static String reference(CheckResult result) throws IOException {
    return MAPPER.writeValueAsString(DomainObject.of(result));
  }

  private static void assertSame(CheckResult result) throws IOException {
    assertThat(streamed(result)).as(result.snapshot().domain()).isEqualTo(reference(result));
  }

  // ---- hand-made shapes ----

  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123456789Z");

  private static SpfRecord spfRecord(boolean optionalFields) {
    return new SpfRecord(
        "v=spf1 ip4:192.0.2.0/24 a:x.example include:y.example -all <script>",
        List.of(
            new SpfTerm("ip4:192.0.2.0/24", false, "+", "ip4", null, optionalFields ? "192.0.2.0/24" : null),
            new SpfTerm("a:x.example", false, "+", "a", optionalFields ? "x.example" : null, null),
            new SpfTerm("exp=e.example", true, "", "exp", "e.example", null),
            new SpfTerm("-all", false, "-", "all", null, null)),
        optionalFields ? List.of("unknown term \"<script>\"", "\u0000 and \u2028") : List.of());
  }

  private static DmarcRecord dmarcRecord(boolean optionalFields) {
    return new DmarcRecord(
        "v=DMARC1; p=reject; pct=50",
        List.of(new DmarcRecord.DmarcTag("v", "DMARC1"), new DmarcRecord.DmarcTag("p", "reject")),
        optionalFields ? "reject" : null,
        optionalFields ? "quarantine" : null,
        optionalFields ? "none" : null,
        optionalFields ? 50 : null,
        optionalFields,
        List.of(new DmarcRecord.DmarcUri("mailto:a@r.example", "r.example"), new DmarcRecord.DmarcUri("https://r.example/", null)),
        optionalFields ? List.of(new DmarcRecord.DmarcUri("mailto:f@r.example", "r.example")) : List.of(),
        optionalFields ? List.of("p is not a policy") : List.of(),
        optionalFields ? List.of("pct is removed by RFC 9989") : List.of());
  }

  private static List<SmtpProbe> everyProbe() {
    return List.of(
        new SmtpProbe.Ok("192.0.2.1", 25, 13.5, 2.9, 7.8, List.of("mx ESMTP \\x00 <b>"), 250, List.of("PIPELINING", "STARTTLS"), everyHandshake()),
        new SmtpProbe.Ok("2001:db8::1", 25, 0.0, 1e-7, 123456789.25, List.of(), 0, List.of(), List.of()),
        new SmtpProbe.Rejected("192.0.2.2", 25, 1.25, 554, List.of("no service")),
        new SmtpProbe.BadGreeting("192.0.2.3", 25, 2, "not SMTP", List.of("HTTP/1.1 400")),
        new SmtpProbe.Refused("192.0.2.4", 2525, 0.5, "Connection refused"),
        new SmtpProbe.TimedOut("192.0.2.5", 25, 5000, SmtpProbe.Phase.GREETING, List.of()),
        new SmtpProbe.TimedOut("192.0.2.5", 25, 5000, SmtpProbe.Phase.EHLO, List.of("220 hi")),
        new SmtpProbe.Reset("192.0.2.6", 25, 3, SmtpProbe.Phase.CONNECT, "Connection reset", List.of()),
        new SmtpProbe.Reset("192.0.2.6", 25, 3, SmtpProbe.Phase.EHLO, null, List.of("220 hi")),
        new SmtpProbe.Failed("192.0.2.7", 25, 0.1, "No route to host"),
        new SmtpProbe.Failed("192.0.2.7", 25, 0.1, null),
        new SmtpProbe.Denied("10.0.0.1", 25, 0, "10.0.0.0/8 (private)"));
  }

  private static List<io.mxwatch.tls.TlsResult> everyHandshake() {
    io.mxwatch.tls.CertificateFacts leaf =
        new io.mxwatch.tls.CertificateFacts("CN=mx1.example.test,O=\"<b>\"", List.of("mx1.example.test", "*.example.test"), "CN=Test CA",
            Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00.5Z"), "RSA", 2048, "aa", "bb", "cc", "dd", true);
    io.mxwatch.tls.CertificateFacts nameless =
        new io.mxwatch.tls.CertificateFacts("", List.of(), "", null, null, "EC", 0, "ee", "ff", "00", "11", null);
    return List.of(
        new io.mxwatch.tls.TlsResult.Established("any", 12.5, "TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(leaf, nameless), true, null),
        new io.mxwatch.tls.TlsResult.Established("ecdsa", 3, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", List.of(), false, "PKIX path building failed"),
        new io.mxwatch.tls.TlsResult.Failed("rsa", 0.25, "handshake", "Received fatal alert: handshake_failure", null),
        new io.mxwatch.tls.TlsResult.Failed("any", 1, "handshake", "The server selected protocol version TLS10", "TLSv1"),
        new io.mxwatch.tls.TlsResult.Failed("any", 1, "starttls", null, null));
  }

  private static io.mxwatch.snapshot.Transport transport(boolean full) {
    var policy = io.mxwatch.tls.MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: mail.example.test\nmx: *.example.net\nmax_age: 86400\nfoo: bar\n");
    var txt = io.mxwatch.tls.TxtPolicyRecord.mtaSts(List.of("v=STSv1; id=2026112301; x=\"<y>\""));
    io.mxwatch.tls.PolicyFetch fetch = full
        ? new io.mxwatch.tls.PolicyFetch.Fetched("https://mta-sts.example.test/.well-known/mta-sts.txt", 12, "/192.0.2.1:443", "abcd", policy)
        : new io.mxwatch.tls.PolicyFetch.Failed("https://mta-sts.example.test/.well-known/mta-sts.txt", 3, "http", "HTTP 301 to http://x (redirects are not followed)");
    var rpt = io.mxwatch.tls.TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1; rua=ftp://x"));
    return new io.mxwatch.snapshot.Transport(
        new io.mxwatch.tls.MtaStsResult(DnsStatus.RECORDS, List.of("v=STSv1; id=2026112301"), txt, fetch),
        full ? new io.mxwatch.tls.TlsRptResult(DnsStatus.RECORDS, List.of("v=TLSRPTv1; rua=ftp://x"), rpt) : new io.mxwatch.tls.TlsRptResult(DnsStatus.NXDOMAIN, List.of(), null));
  }

  static Stream<CheckResult> shapes() {
    List<CheckResult> shapes = new ArrayList<>();
    for (boolean full : new boolean[] {true, false}) {
      MxResult mx =
          new MxResult(
              DnsStatus.RECORDS,
              MxResult.Mode.MX,
              full,
              List.of(
                  new MxHost(10, "mx1.example.test", 300, full ? "real.example.test" : null, DnsStatus.RECORDS,
                      full ? DnsStatus.NODATA : null,
                      List.of(new MxHost.HostAddress("192.0.2.1", 300), new MxHost.HostAddress("2001:db8::1", 60))),
                  new MxHost(20, "mx2.example.test", 3600, null, full ? DnsStatus.TIMEOUT : null, null, List.of())));
      SpfResult spf =
          new SpfResult(
              DnsStatus.RECORDS,
              List.of("v=spf1 a -all", "v=spf1 \"quoted\" \\ -all"),
              full ? spfRecord(true) : null,
              11,
              3,
              full,
              full ? "-all" : null,
              List.of(
                  new SpfInclude("y.example", "include", "example.test", 1, DnsStatus.RECORDS, spfRecord(false), null),
                  new SpfInclude("z.example", "redirect", "y.example", 2, full ? DnsStatus.SERVFAIL : null, null,
                      full ? SpfInclude.Problem.NOT_FOLLOWED : null)),
              List.of("a:gone.example (nxdomain)"),
              full ? List.of("mx:big.example") : List.of());
      DmarcResult dmarc =
          new DmarcResult(
              DnsStatus.RECORDS,
              full ? "_dmarc.example.test" : null,
              List.of("v=DMARC1; p=reject"),
              dmarcRecord(full),
              List.of(
                  new DmarcResult.ReportAuthorization("mailto:a@r.example", "r.example",
                      "example.test._report._dmarc.r.example", DnsStatus.NXDOMAIN, false),
                  new DmarcResult.ReportAuthorization("mailto:b@s.example", "s.example", null, null, true)));
      List<DnsLookup> lookups = new ArrayList<>();
      for (DnsStatus status : DnsStatus.values()) {
        lookups.add(new DnsLookup("example.test", "MX", status, full ? "detail of " + status : null));
      }
      List<Finding> findings =
          Arrays.stream(Severity.values())
              .map(sev -> new Finding(FindingCode.values()[sev.ordinal()], sev, full ? "subject" : null, "message \"" + sev + "\""))
              .toList();
      Snapshot s = new Snapshot("example.test", AT, full ? 61.8 : 0, mx, spf, dmarc, full, everyProbe(), lookups, transport(full), dkim(full), authority(full));
      shapes.add(new CheckResult(s, new Audit(full ? Status.WARNING : Status.UNKNOWN, findings)));
    }
    for (MxResult.Mode mode : MxResult.Mode.values()) {
      for (Status status : Status.values()) {
        MxResult mx = new MxResult(DnsStatus.NXDOMAIN, mode, false, List.of());
        SpfResult spf = SpfResult.unanalysed(DnsStatus.TIMEOUT, List.of(), null);
        DmarcResult dmarc = new DmarcResult(DnsStatus.SERVFAIL, "_dmarc.gone.test", List.of(), null, List.of());
        Snapshot s = new Snapshot("gone.test", Instant.EPOCH, 1, mx, spf, dmarc, false, List.of(), List.of());
        shapes.add(new CheckResult(s, new Audit(status, List.of())));
      }
    }
    // sections a failed check may leave out
    shapes.add(new CheckResult(new Snapshot("empty.test", AT, 0, null, null, null, false, List.of(), List.of()),
        new Audit(Status.UNKNOWN, List.of())));
    return shapes.stream();
  }

  /** The nameservers' view: every server outcome, with and without the optional fields. */
  private static io.mxwatch.snapshot.Authority authority(boolean full) {
    List<io.mxwatch.snapshot.Authority.Server> servers = List.of(
        new io.mxwatch.snapshot.Authority.Server("ns1.example.test", "127.0.0.21", "answered", null, 2026120701L, 300L,
            List.of("10 mx1.example.test", "20 mx2.example.test"), 3600L, List.of("v=spf1 mx -all"), List.of("v=DMARC1; p=reject")),
        new io.mxwatch.snapshot.Authority.Server("ns2.example.test", "::1", "timeout", "no answer from [::1]:53", null, null, null, null, null, null),
        new io.mxwatch.snapshot.Authority.Server("ns3.example.test", null, "no_address", "no A or AAAA record", null, null, null, null, null, null),
        new io.mxwatch.snapshot.Authority.Server("ns4.example.test", "127.0.0.24", "answered", null, null, null, List.of(), null, List.of(), List.of()));
    return full
        ? new io.mxwatch.snapshot.Authority("example.test", DnsStatus.RECORDS, List.of("ns1.example.test", "ns2.example.test"),
            List.of("ns1.example.test"), "asked ns.test (127.0.0.1) of test", servers)
        : new io.mxwatch.snapshot.Authority(null, DnsStatus.SERVFAIL, List.of(), null, null, List.of());
  }

  /** Every DKIM shape: a key with every field, a revoked one, an unusable one, none, several records, a failed lookup. */
  private static List<io.mxwatch.policy.DkimResult> dkim(boolean full) {
    if (!full) {
      return List.of();
    }
    return List.of(
        new io.mxwatch.policy.DkimResult("s1", "s1._domainkey.example.test", DnsStatus.RECORDS, List.of("v=DKIM1; t=y; p=QUJD"),
            new io.mxwatch.policy.DkimKey("rsa", false, 2048, "ab".repeat(32), true, List.of(), List.of("note \"<b>\""))),
        new io.mxwatch.policy.DkimResult("old", "old._domainkey.example.test", DnsStatus.RECORDS, List.of("v=DKIM1; p="),
            new io.mxwatch.policy.DkimKey("rsa", true, null, null, false, List.of(), List.of())),
        new io.mxwatch.policy.DkimResult("bad", "bad._domainkey.example.test", DnsStatus.RECORDS, List.of("p=*"),
            new io.mxwatch.policy.DkimKey("ed25519", false, null, null, false, List.of("p= is not valid base64"), List.of())),
        new io.mxwatch.policy.DkimResult("gone", "gone._domainkey.example.test", DnsStatus.NXDOMAIN, List.of(), null),
        new io.mxwatch.policy.DkimResult("two", "two._domainkey.example.test", DnsStatus.RECORDS, List.of("p=QUJD", "p=REVG"), null),
        new io.mxwatch.policy.DkimResult("lost", "lost._domainkey.example.test", DnsStatus.TIMEOUT, List.of(), null));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void handMadeShapesAreWrittenAsDatabindWritesThem(CheckResult result) throws IOException {
    assertSame(result);
  }

  @Test
  void everyProbeVariantIsCovered() {
    assertThat(everyProbe().stream().map(SmtpProbe::outcome).distinct()).containsExactlyInAnyOrderElementsOf(SmtpProbe.OUTCOMES);
  }

  @ParameterizedTest
  @MethodSource("io.mxwatch.audit.FindingScenariosTest#scenarios")
  void everyFindingScenarioIsWrittenAsDatabindWritesIt(FindingScenariosTest.Scenario scenario) throws IOException {
    try (CheckFixture f = FindingScenariosTest.healthy()) {
      scenario.change().accept(f);
      Snapshot snapshot = f.snapshot(FindingScenariosTest.DOMAIN);
      CheckResult result = new CheckResult(snapshot, new Auditor().audit(snapshot));
      assertThat(result.audit().findings()).extracting(Finding::code).contains(scenario.code());
      assertSame(result);
    }
  }
}
