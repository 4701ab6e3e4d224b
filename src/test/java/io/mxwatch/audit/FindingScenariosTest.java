package io.mxwatch.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.SignedZone;
import io.mxwatch.testing.TestCa;
import io.mxwatch.testing.TestHttpsServer;
import java.time.Duration;
import io.mxwatch.testing.TestDnsServer.Fault;
import io.mxwatch.testing.TestSmtpServer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

/**
 * One end-to-end scenario per finding code: a healthy domain served by the in-JVM DNS and SMTP
 * servers, changed in one way, must raise exactly that finding with its severity and subject.
 */
public class FindingScenariosTest {
  public static final String DOMAIN = "example.test";

  /** A domain with nothing to report: two exchanges that greet with STARTTLS, strict SPF and DMARC. */
  static final String HEALTHY =
      """
      @        MX 10 mx1
      @        MX 20 mx2
      mx1      A  127.0.0.2
      mx2      A  127.0.0.3
      @        TXT "v=spf1 mx -all"
      _dmarc   TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"
      """;

  /** An MTA-STS policy in enforce mode that covers both exchanges. */
  static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: *.example.test\r\nmax_age: 604800\r\n";

  public record Scenario(String name, FindingCode code, Severity severity, String subject, Consumer<CheckFixture> change) {
    @Override
    public String toString() {
      return code + ": " + name;
    }
  }

  static Scenario scenario(String name, FindingCode code, Severity severity, String subject, Consumer<CheckFixture> change) {
    return new Scenario(name, code, severity, subject, change);
  }

  /** The backup exchange moved to 127.0.0.4, served by {@code behaviour}. */
  static Consumer<CheckFixture> backup(TestSmtpServer.Behaviour behaviour) {
    return f -> f.smtp("127.0.0.4", behaviour).zone(DOMAIN, "mx2 A 127.0.0.4\n");
  }

  /** An exchange with only an RSA certificate, the one {@code issue} makes for the name asked. */
  static java.util.function.BiFunction<String, TestCa.Key, TestCa.Leaf> rsaOnly(java.util.function.Function<String, TestCa.Leaf> issue) {
    java.util.Map<String, TestCa.Leaf> issued = new java.util.concurrent.ConcurrentHashMap<>();
    return (name, key) -> key == TestCa.Key.RSA ? issued.computeIfAbsent(String.valueOf(name), issue) : null;
  }

  static Consumer<CheckFixture> zone(String text) {
    return f -> f.zone(DOMAIN, text);
  }

  public static Stream<Scenario> scenarios() {
    return Stream.of(
        scenario("no MX, no address", FindingCode.MX_NONE, Severity.CRITICAL, DOMAIN,
            f -> f.dns.remove(DOMAIN, Type.MX)),
        scenario("no MX, implicit MX", FindingCode.MX_NONE, Severity.WARNING, DOMAIN,
            f -> f.zone(DOMAIN, "@ A 127.0.0.2\n").dns.remove(DOMAIN, Type.MX)),
        scenario("null MX", FindingCode.MX_NULL, Severity.INFO, DOMAIN, zone("@ MX 0 .\n")),
        scenario("null MX with others", FindingCode.MX_NULL_WITH_OTHERS, Severity.WARNING, DOMAIN,
            f -> f.dns.add(TestDnsServerRecords.mx(DOMAIN, 0, "."))),
        scenario("IP literal target", FindingCode.MX_TARGET_IP_LITERAL, Severity.WARNING, "127.0.0.2",
            f -> f.dns.add(TestDnsServerRecords.mx(DOMAIN, 30, "127.0.0.2."))),
        scenario("CNAME target", FindingCode.MX_TARGET_CNAME, Severity.WARNING, "mx2.example.test",
            f -> f.zone(DOMAIN, "mx2 CNAME mx1\n").dns.remove("mx2.example.test", Type.A)),
        scenario("target without address", FindingCode.MX_TARGET_NO_ADDRESS, Severity.WARNING, "mx2.example.test",
            f -> f.dns.remove("mx2.example.test", Type.A)),
        scenario("no target has an address", FindingCode.MX_TARGET_NO_ADDRESS, Severity.CRITICAL, "mx1.example.test",
            f -> f.dns.remove("mx1.example.test", Type.A).remove("mx2.example.test", Type.A)),
        scenario("doubled origin", FindingCode.MX_TARGET_DOUBLED_ORIGIN, Severity.WARNING, "mx3.example.test.example.test",
            zone("@ MX 30 mx3.example.test.example.test.\nmx3.example.test.example.test. A 127.0.0.3\n")),
        scenario("single exchange", FindingCode.MX_SINGLE_HOST, Severity.INFO, DOMAIN,
            zone("@ MX 10 mx1\n")),
        scenario("duplicate target", FindingCode.MX_DUPLICATE_TARGET, Severity.INFO, "mx1.example.test",
            f -> f.dns.add(TestDnsServerRecords.mx(DOMAIN, 30, "mx1.example.test."))),
        scenario("backup refuses", FindingCode.SMTP_UNREACHABLE, Severity.WARNING, null,
            f -> f.dns.load(DOMAIN, "mx2 A 127.0.0.9\n")),
        scenario("every exchange down", FindingCode.SMTP_ALL_UNREACHABLE, Severity.CRITICAL, DOMAIN,
            zone("mx1 A 127.0.0.8\nmx2 A 127.0.0.9\n")),
        scenario("primary down", FindingCode.SMTP_PRIMARY_UNREACHABLE, Severity.WARNING, DOMAIN,
            zone("mx1 A 127.0.0.9\n")),
        scenario("backup at a denied address", FindingCode.SMTP_ADDRESS_NOT_PUBLIC, Severity.WARNING, null,
            f -> f.deny(io.mxwatch.net.AddressRanges.of(java.util.List.of("127.0.0.9/32"))).zone(DOMAIN, "mx2 A 127.0.0.9\n")),
        scenario("554 greeting", FindingCode.SMTP_REJECTING, Severity.WARNING, null,
            f -> f.smtp("127.0.0.4", TestSmtpServer.rejecting()).zone(DOMAIN, "mx2 A 127.0.0.4\n")),
        scenario("garbage greeting", FindingCode.SMTP_BAD_GREETING, Severity.WARNING, null,
            f -> f.smtp("127.0.0.4", TestSmtpServer.garbage()).zone(DOMAIN, "mx2 A 127.0.0.4\n")),
        scenario("no STARTTLS", FindingCode.SMTP_NO_STARTTLS, Severity.WARNING, null,
            f -> f.smtp("127.0.0.4", TestSmtpServer.withoutStartTls()).zone(DOMAIN, "mx2 A 127.0.0.4\n")),
        scenario("STARTTLS refused", FindingCode.TLS_HANDSHAKE_FAILED, Severity.WARNING, null,
            backup(TestSmtpServer.startTlsRefused())),
        scenario("garbage instead of a ServerHello", FindingCode.TLS_HANDSHAKE_FAILED, Severity.WARNING, null,
            backup(TestSmtpServer.startTlsThen(TestSmtpServer.tlsGarbage()))),
        scenario("TLS 1.0 only", FindingCode.TLS_OLD_PROTOCOL, Severity.WARNING, null,
            backup(TestSmtpServer.startTlsThen(TestSmtpServer.tls10ServerHello()))),
        scenario("expired certificate", FindingCode.TLS_CERT_EXPIRED, Severity.CRITICAL, null,
            backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.shared().issue(TestCa.Key.RSA, List.of(name),
                CheckFixture.NOW.minus(Duration.ofDays(100)), CheckFixture.NOW.minus(Duration.ofDays(1))))))),
        scenario("certificate expiring in 10 days", FindingCode.TLS_CERT_EXPIRING, Severity.WARNING, null,
            backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.shared().issue(TestCa.Key.RSA, List.of(name),
                CheckFixture.NOW.minus(Duration.ofDays(80)), CheckFixture.NOW.plus(Duration.ofDays(10))))))),
        scenario("certificate expiring in 2 days", FindingCode.TLS_CERT_EXPIRING, Severity.CRITICAL, null,
            backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.shared().issue(TestCa.Key.RSA, List.of(name),
                CheckFixture.NOW.minus(Duration.ofDays(80)), CheckFixture.NOW.plus(Duration.ofDays(2))))))),
        scenario("certificate for another name", FindingCode.TLS_CERT_NAME_MISMATCH, Severity.WARNING, null,
            backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.shared().issue(TestCa.Key.RSA, List.of("mail.example.net"),
                CheckFixture.NOW.minus(Duration.ofDays(80)), CheckFixture.NOW.plus(Duration.ofDays(3000))))))),
        scenario("self-signed certificate", FindingCode.TLS_CERT_UNTRUSTED, Severity.INFO, null,
            backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.selfSigned(TestCa.Key.RSA, List.of(name)))))),
        scenario("MTA-STS record without id", FindingCode.MTA_STS_TXT_INVALID, Severity.WARNING, "_mta-sts.example.test",
            zone("_mta-sts TXT \"v=STSv1;\"\n")),
        scenario("MTA-STS policy host down", FindingCode.MTA_STS_POLICY_UNAVAILABLE, Severity.WARNING, null,
            zone("_mta-sts TXT \"v=STSv1; id=1\"\nmta-sts A 127.0.0.6\n")),
        scenario("MTA-STS policy redirected", FindingCode.MTA_STS_POLICY_UNAVAILABLE, Severity.WARNING, null,
            f -> f.mtaSts(DOMAIN, "1", ENFORCE).reply(new TestHttpsServer.Reply(301, "text/html", "moved", "https://elsewhere.example.test/", Duration.ZERO))),
        scenario("MTA-STS policy does not parse", FindingCode.MTA_STS_POLICY_INVALID, Severity.WARNING, null,
            f -> f.mtaSts(DOMAIN, "1", "version: STSv1\r\nmode: enforcing\r\nmx: *.example.test\r\nmax_age: 86400\r\n")),
        scenario("MTA-STS policy with LF lines", FindingCode.MTA_STS_POLICY_WARNING, Severity.INFO, null,
            f -> f.mtaSts(DOMAIN, "1", ENFORCE.replace("\r\n", "\n"))),
        scenario("MTA-STS enforce without mx2", FindingCode.MTA_STS_MX_NOT_COVERED, Severity.CRITICAL, "mx2.example.test",
            f -> f.mtaSts(DOMAIN, "1", ENFORCE.replace("*.example.test", "mx1.example.test"))),
        scenario("MTA-STS testing without mx2", FindingCode.MTA_STS_MX_NOT_COVERED, Severity.WARNING, "mx2.example.test",
            f -> f.mtaSts(DOMAIN, "1", ENFORCE.replace("*.example.test", "mx1.example.test").replace("enforce", "testing"))),
        scenario("MTA-STS enforce with a self-signed exchange", FindingCode.MTA_STS_MX_TLS_INVALID, Severity.CRITICAL, null,
            f -> {
              f.mtaSts(DOMAIN, "1", ENFORCE);
              backup(TestSmtpServer.startTls(rsaOnly(name -> TestCa.selfSigned(TestCa.Key.RSA, List.of(name))))).accept(f);
            }),
        scenario("TLS-RPT to ftp", FindingCode.TLSRPT_INVALID, Severity.WARNING, "_smtp._tls.example.test",
            zone("_smtp._tls TXT \"v=TLSRPTv1; rua=ftp://reports.example.test/\"\n")),
        scenario("DANE without TLS-RPT", FindingCode.TLSRPT_MISSING, Severity.WARNING, "_smtp._tls.example.test",
            signed(SIGNED_DANE.replace(TLS_RPT, ""))),
        scenario("expired signatures", FindingCode.DNSSEC_BOGUS, Severity.CRITICAL, "MX example.test",
            signed(SIGNED_DANE, CheckFixture.NOW.minus(Duration.ofDays(30)), CheckFixture.NOW.minus(Duration.ofDays(1)))),
        scenario("signatures expire in two days", FindingCode.DNSSEC_SIGNATURE_EXPIRING, Severity.WARNING, "MX example.test",
            signed(SIGNED_DANE, CheckFixture.NOW.minus(Duration.ofDays(10)), CheckFixture.NOW.plus(Duration.ofDays(2)))),
        scenario("TLSA in an unsigned zone", FindingCode.DANE_TLSA_INSECURE, Severity.WARNING, "_25._tcp.mx1.example.test",
            f -> f.zone(DOMAIN, daneRecords("mx1")).dnssec(SignedZone.sign("anchor.test", SOA, CheckFixture.NOW, CheckFixture.NOW.plus(Duration.ofDays(30))).trustAnchor())),
        scenario("TLSA lookup SERVFAIL in a signed zone", FindingCode.DANE_TLSA_LOOKUP_FAILED, Severity.CRITICAL, "_25._tcp.mx1.example.test",
            signed(SIGNED_DANE).andThen(f -> f.dns.fault("_25._tcp.mx1.example.test", Type.TLSA, Fault.servfail()))),
        scenario("TLSA records of another key", FindingCode.DANE_NO_MATCH, Severity.CRITICAL, null,
            signed(SIGNED_DANE.replace(daneRecords("mx1"), "_25._tcp.mx1 TLSA 3 1 1 " + "ab".repeat(32) + "\n_25._tcp.mx1 TLSA 3 1 1 " + "cd".repeat(32) + "\n"))),
        scenario("TLSA but no STARTTLS", FindingCode.DANE_NO_STARTTLS, Severity.CRITICAL, null,
            signed(SIGNED_DANE.replace("mx2      A  127.0.0.3", "mx2      A  127.0.0.4"))
                .andThen(f -> f.smtp("127.0.0.4", TestSmtpServer.withoutStartTls()))),
        scenario("a single DANE-TA record", FindingCode.DANE_SINGLE_TLSA, Severity.INFO, "_25._tcp.mx1.example.test",
            signed(SIGNED_DANE.replace(daneRecords("mx1"), "_25._tcp.mx1 TLSA 2 0 1 " + sha256(TestCa.shared().root()) + "\n"))),
        scenario("MTA-STS without TLS-RPT", FindingCode.TLSRPT_MISSING, Severity.WARNING, "_smtp._tls.example.test",
            f -> f.mtaSts(DOMAIN, "1", ENFORCE)),
        scenario("no SPF", FindingCode.SPF_NONE, Severity.WARNING, DOMAIN,
            zone("@ TXT \"google-site-verification=abc\"\n")),
        scenario("two SPF records", FindingCode.SPF_MULTIPLE, Severity.CRITICAL, DOMAIN,
            f -> f.dns.add(TestDnsServerRecords.txt(DOMAIN, "v=spf1 -all"))),
        scenario("SPF syntax", FindingCode.SPF_SYNTAX, Severity.CRITICAL, DOMAIN,
            zone("@ TXT \"v=spf1 mx inclde:example.net -all\"\n")),
        scenario("SPF over 10 lookups", FindingCode.SPF_TOO_MANY_LOOKUPS, Severity.CRITICAL, DOMAIN,
            zone("@ TXT \"v=spf1 mx include:_spf.example.test -all\"\n"
                + "_spf TXT \"v=spf1 a a a a a a a a a -all\"\n_spf A 127.0.0.2\n")),
        scenario("SPF void lookups", FindingCode.SPF_VOID_LOOKUPS, Severity.CRITICAL, DOMAIN,
            zone("@ TXT \"v=spf1 a:gone1.example.test a:gone2.example.test a:gone3.example.test mx -all\"\n")),
        scenario("SPF +all", FindingCode.SPF_ALL_PERMISSIVE, Severity.WARNING, DOMAIN,
            zone("@ TXT \"v=spf1 mx +all\"\n")),
        scenario("SPF include with +all", FindingCode.SPF_ALL_PERMISSIVE, Severity.WARNING, "lax.example.test",
            zone("@ TXT \"v=spf1 include:lax.example.test -all\"\nlax TXT \"v=spf1 +all\"\n")),
        scenario("SPF without all", FindingCode.SPF_NO_ALL, Severity.WARNING, DOMAIN,
            zone("@ TXT \"v=spf1 mx\"\n")),
        scenario("SPF ptr", FindingCode.SPF_PTR, Severity.WARNING, DOMAIN,
            zone("@ TXT \"v=spf1 ptr mx -all\"\n")),
        scenario("SPF include loop", FindingCode.SPF_INCLUDE_LOOP, Severity.CRITICAL, "example.test",
            zone("@ TXT \"v=spf1 include:a.example.test -all\"\na TXT \"v=spf1 include:example.test\"\n")),
        scenario("SPF include without SPF", FindingCode.SPF_INCLUDE_MISSING, Severity.CRITICAL, "gone.example.test",
            zone("@ TXT \"v=spf1 include:gone.example.test -all\"\n")),
        scenario("no DMARC", FindingCode.DMARC_NONE, Severity.WARNING, "_dmarc.example.test",
            f -> f.dns.remove("_dmarc.example.test", Type.TXT)),
        scenario("two DMARC records", FindingCode.DMARC_MULTIPLE, Severity.WARNING, "_dmarc.example.test",
            f -> f.dns.add(TestDnsServerRecords.txt("_dmarc." + DOMAIN, "v=DMARC1; p=none"))),
        scenario("DMARC syntax", FindingCode.DMARC_SYNTAX, Severity.WARNING, "_dmarc.example.test",
            zone("_dmarc TXT \"v=DMARC1; p=rejectt\"\n")),
        scenario("DMARC unknown tag", FindingCode.DMARC_WARNING, Severity.INFO, "_dmarc.example.test",
            zone("_dmarc TXT \"v=DMARC1; p=reject; foo=bar\"\n")),
        scenario("DMARC p=none", FindingCode.DMARC_POLICY_NONE, Severity.WARNING, "_dmarc.example.test",
            zone("_dmarc TXT \"v=DMARC1; p=none\"\n")),
        scenario("DMARC pct", FindingCode.DMARC_PARTIAL_PCT, Severity.INFO, "_dmarc.example.test",
            zone("_dmarc TXT \"v=DMARC1; p=quarantine; pct=20\"\n")),
        scenario("DMARC t=y", FindingCode.DMARC_TESTING, Severity.INFO, "_dmarc.example.test",
            zone("_dmarc TXT \"v=DMARC1; p=reject; t=y\"\n")),
        scenario("DMARC report destination not authorised", FindingCode.DMARC_REPORT_UNAUTHORIZED, Severity.WARNING, "reports.example.net",
            zone("_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:agg@reports.example.net\"\n")),
        scenario("DKIM key missing", FindingCode.DKIM_KEY_MISSING, Severity.CRITICAL, "s1._domainkey.example.test", f -> f.dkim("s1")),
        scenario("DKIM key not base64", FindingCode.DKIM_KEY_INVALID, Severity.CRITICAL, "s1._domainkey.example.test",
            dkim("v=DKIM1; p=not*base64")),
        scenario("DKIM key revoked", FindingCode.DKIM_KEY_REVOKED, Severity.WARNING, "s1._domainkey.example.test", dkim("v=DKIM1; p=")),
        scenario("DKIM RSA key of 1024 bits", FindingCode.DKIM_KEY_WEAK, Severity.WARNING, "s1._domainkey.example.test",
            dkim("v=DKIM1; p=" + DkimKeys.RSA_1024)),
        scenario("DKIM key in testing", FindingCode.DKIM_KEY_TESTING, Severity.INFO, "s1._domainkey.example.test",
            dkim("v=DKIM1; t=y; p=" + DkimKeys.RSA_2048)),
        scenario("nameservers give different MX sets", FindingCode.NS_INCONSISTENT_MX, Severity.WARNING, "MX example.test",
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS.replace("@        MX 20 mx2\n", ""))),
        scenario("nameservers give different SPF records", FindingCode.NS_INCONSISTENT_SPF, Severity.WARNING, "SPF example.test",
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS.replace("mx -all", "mx ~all"))),
        scenario("nameservers give different DMARC records", FindingCode.NS_INCONSISTENT_DMARC, Severity.WARNING, "DMARC _dmarc.example.test",
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS.replace("p=reject;", "p=none;"))),
        scenario("a secondary behind", FindingCode.NS_SERIAL_DIFFERS, Severity.WARNING, DOMAIN,
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS.replace(" 7 3600 ", " 6 3600 "))),
        scenario("a nameserver refuses", FindingCode.NS_NOT_ANSWERING, Severity.WARNING, "ns2.example.test (127.0.12.1)",
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS).get(2).fault(q -> true, Fault.refused())),
        scenario("no nameserver answers", FindingCode.NS_NONE_ANSWERING, Severity.CRITICAL, DOMAIN,
            f -> f.nameservers(null, ZONE_AT_NS).get(1).fault(q -> true, Fault.refused())),
        scenario("a lame nameserver", FindingCode.NS_NOT_AUTHORITATIVE, Severity.WARNING, "ns2.example.test (127.0.12.1)",
            f -> f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS).get(2).fault(q -> true, Fault.notAuthoritative())),
        scenario("a nameserver without an address", FindingCode.NS_NO_ADDRESS, Severity.WARNING, "ns3.example.test",
            f -> {
              f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS);
              f.zone(DOMAIN, "@ NS ns1\n@ NS ns2\n@ NS ns3\n");
            }),
        scenario("a nameserver in a denied range", FindingCode.NS_ADDRESS_NOT_PUBLIC, Severity.WARNING, "ns2.example.test (127.0.12.1)",
            f -> f.deny(io.mxwatch.net.AddressRanges.of(List.of("127.0.12.0/24"))).nameservers(null, ZONE_AT_NS, ZONE_AT_NS)),
        scenario("the parent delegates to another set", FindingCode.NS_PARENT_MISMATCH, Severity.WARNING, DOMAIN,
            f -> f.nameservers(List.of("ns1.example.test", "ns.old-provider.test"), ZONE_AT_NS, ZONE_AT_NS)),
        scenario("one nameserver", FindingCode.NS_SINGLE, Severity.WARNING, DOMAIN, f -> f.nameservers(null, ZONE_AT_NS)),
        scenario("every nameserver in one network", FindingCode.NS_SAME_NETWORK, Severity.WARNING, DOMAIN,
            f -> {
              f.nameservers(null, ZONE_AT_NS, ZONE_AT_NS);
              f.zone(DOMAIN, "ns2 A 127.0.11.1\n");
            }),
        scenario("MX lookup times out", FindingCode.DNS_LOOKUP_FAILED, Severity.WARNING, "MX example.test",
            f -> f.dns.fault(DOMAIN, Type.MX, Fault.drop())));
  }

  /** The healthy zone as its nameservers serve it, with its SOA (serial 7). */
  static final String ZONE_AT_NS = "@ SOA ns1 hostmaster 7 3600 600 86400 300\n" + HEALTHY;

  /** The key record of selector s1, which the check then looks at. */
  static Consumer<CheckFixture> dkim(String record) {
    return f -> f.dkim("s1").zone(DOMAIN, io.mxwatch.testing.TestDnsServer.txt("s1._domainkey", record));
  }

  /** RSA keys made once for the scenarios (a key takes a tenth of a second to make). */
  static final class DkimKeys {
    static final String RSA_1024 = rsa(1024);
    static final String RSA_2048 = rsa(2048);

    private static String rsa(int bits) {
      try {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return java.util.Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** An SOA and NS at the apex, which a signed zone needs. */
  static final String SOA = "@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n";

  static final String TLS_RPT = "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls@example.test\"\n";

  /** DANE-EE records (3 1 1) at {@code exchange} for the keys of both types the test servers serve. */
  static String daneRecords(String exchange) {
    StringBuilder b = new StringBuilder();
    for (TestCa.Key key : TestCa.Key.values()) {
      var leaf = TestCa.shared().forEveryName().apply(exchange + "." + DOMAIN, key).certificate();
      b.append("_25._tcp.").append(exchange).append(" TLSA 3 1 1 ").append(io.mxwatch.tls.CertificateFacts.of(leaf).spkiSha256()).append('\n');
    }
    return b.toString();
  }

  static String sha256(java.security.cert.X509Certificate cert) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The healthy domain, signed, with DANE-EE records at both exchanges and TLS-RPT: nothing to report. */
  static final String SIGNED_DANE = SOA + HEALTHY + TLS_RPT + daneRecords("mx1") + daneRecords("mx2");

  /** Serves {@code zoneText} as example.test signed (valid for 30 days from NOW), validated from its key. */
  static Consumer<CheckFixture> signed(String zoneText) {
    return signed(zoneText, CheckFixture.NOW, CheckFixture.NOW.plus(Duration.ofDays(30)));
  }

  static Consumer<CheckFixture> signed(String zoneText, java.time.Instant now, java.time.Instant expiry) {
    return f -> f.dnssec(SignedZone.sign(DOMAIN, zoneText, now, expiry).serveOn(f.dns).trustAnchor());
  }

  @Test
  void aSignedDomainWithMatchingTlsaRecordsIsOkWithoutFindings() {
    try (CheckFixture f = healthy()) {
      signed(SIGNED_DANE).accept(f);
      io.mxwatch.snapshot.Snapshot s = f.snapshot(DOMAIN);
      Audit audit = new Auditor().audit(s);
      assertThat(audit.findings()).isEmpty();
      assertThat(s.mx().hosts()).allSatisfy(h -> assertThat(h.tlsa().inEffect()).isTrue());
      assertThat(s.lookups()).filteredOn(l -> l.type().equals("MX")).singleElement()
          .satisfies(l -> assertThat(l.dnssec().status()).isEqualTo(io.mxwatch.dns.DnssecStatus.SECURE));
      assertThat(s.smtp()).as("both addresses probed, both key types matched").hasSize(2);
    }
  }

  /** The healthy domain with its two exchanges; the scenarios change it. */
  public static CheckFixture healthy() {
    CheckFixture f = new CheckFixture().zone(DOMAIN, HEALTHY);
    f.smtp("127.0.0.2", TestSmtpServer.wellBehaved()).smtp("127.0.0.3", TestSmtpServer.wellBehaved());
    return f;
  }

  @Test
  void healthyDomainIsOkWithoutFindings() {
    try (CheckFixture f = healthy()) {
      Audit audit = f.audit(DOMAIN);
      assertThat(audit.findings()).isEmpty();
      assertThat(audit.status()).isEqualTo(Status.OK);
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void raisesItsFinding(Scenario scenario) {
    try (CheckFixture f = healthy()) {
      scenario.change().accept(f);
      Audit audit = f.audit(DOMAIN);
      assertThat(audit.findings())
          .as(scenario.name())
          .anySatisfy(
              finding -> {
                assertThat(finding.code()).isEqualTo(scenario.code());
                assertThat(finding.severity()).isEqualTo(scenario.severity());
                if (scenario.subject() != null) {
                  assertThat(finding.subject()).isEqualTo(scenario.subject());
                }
                assertThat(finding.message()).isNotBlank();
              });
      Status expected =
          audit.findings().stream().anyMatch(x -> x.severity() == Severity.CRITICAL)
              ? Status.CRITICAL
              : scenario.code() == FindingCode.DNS_LOOKUP_FAILED ? Status.UNKNOWN : Status.WARNING;
      if (scenario.severity() != Severity.INFO) {
        assertThat(audit.status()).as(scenario.name()).isEqualTo(expected);
      }
    }
  }

  @Test
  void everyFindingCodeHasAScenario() {
    Set<FindingCode> covered = scenarios().map(Scenario::code).collect(Collectors.toSet());
    // RECORDS_CHURNING comes from the history, not from one snapshot: DaemonTest shows it
    assertThat(covered).containsExactlyInAnyOrderElementsOf(java.util.EnumSet.complementOf(java.util.EnumSet.of(FindingCode.RECORDS_CHURNING)));
  }

  @Test
  void authorisedReportDestinationIsNotAFinding() {
    try (CheckFixture f = healthy()) {
      f.zone(DOMAIN, "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:agg@reports.example.net\"\n");
      f.zone("example.net", "example.test._report._dmarc.reports TXT \"v=DMARC1\"\n");
      Audit audit = f.audit(DOMAIN);
      assertThat(audit.findings()).isEmpty();
    }
  }

  @Test
  void infoFindingsLeaveTheStatusOk() {
    try (CheckFixture f = healthy()) {
      f.zone(DOMAIN, "@ MX 10 mx1\n");
      Audit audit = f.audit(DOMAIN);
      assertThat(audit.findings()).extracting(Finding::code).containsExactly(FindingCode.MX_SINGLE_HOST);
      assertThat(audit.status()).isEqualTo(Status.OK);
    }
  }

  @Test
  void findingsComeWorstFirst() {
    try (CheckFixture f = healthy()) {
      f.zone(DOMAIN, "mx1 A 127.0.0.8\nmx2 A 127.0.0.9\n_dmarc TXT \"v=DMARC1; p=none; foo=1\"\n");
      List<Severity> severities = f.audit(DOMAIN).findings().stream().map(Finding::severity).toList();
      assertThat(severities).isSortedAccordingTo((a, b) -> b.compareTo(a));
      assertThat(severities).contains(Severity.CRITICAL, Severity.WARNING, Severity.INFO);
    }
  }

  @Test
  void everyCodeIsDescribed() {
    assertThat(Arrays.stream(FindingCode.values())).allSatisfy(c -> assertThat(c.description()).hasSizeGreaterThan(20));
  }
}
