package io.mxwatch.dns;

import static io.mxwatch.testing.TestDnsServer.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mxwatch.testing.SignedZone;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class DnssecValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String ZONE =
      """
      @        SOA ns hostmaster 1 3600 600 86400 300
      @        NS  ns
      ns       A   127.0.0.1
      @        MX  10 mx1
      mx1      A   127.0.0.2
      _25._tcp.mx1 TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
      """;

  private final TestDnsServer server = TestDnsServer.start();
  private final DnsClient client =
      new DnsClient(new DnsSettings(List.of(server.address()), Duration.ofMillis(500), 0, 64), Runnable::run);

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  private DnssecValidator validator(String anchors) {
    return new DnssecValidator(client, anchors.getBytes(StandardCharsets.US_ASCII), "test anchors", CLOCK);
  }

  private DnssecValidator.Validated lookup(DnssecValidator v, String owner, int type) {
    return v.lookup(name(owner), type, System.nanoTime() + Duration.ofSeconds(10).toNanos()).join();
  }

  @Test
  void aSignedAnswerUnderTheAnchorIsSecureWithTheEarliestSignatureExpiry() {
    Instant expiry = NOW.plus(Duration.ofDays(10));
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, expiry).serveOn(server);
    DnssecValidator v = validator(zone.trustAnchor());

    DnssecValidator.Validated mx = lookup(v, "example.test", Type.MX);
    assertThat(mx.outcome()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(mx.dnssec().status()).as(mx.dnssec().describe()).isEqualTo(DnssecStatus.SECURE);
    assertThat(mx.dnssec().signaturesExpire()).isEqualTo(expiry);
    assertThat(lookup(v, "_25._tcp.mx1.example.test", Type.TLSA).dnssec().status()).isEqualTo(DnssecStatus.SECURE);
  }

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    volatile Instant now = NOW;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aValidatedAnswerIsKeptNoLongerThanItsSignaturesLast() {
    MovingClock clock = new MovingClock();
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofSeconds(90))).serveOn(server);
    DnssecValidator v = new DnssecValidator(client, zone.trustAnchor().getBytes(StandardCharsets.US_ASCII), "test anchors", clock);
    assertThat(lookup(v, "example.test", Type.MX).dnssec().status()).isEqualTo(DnssecStatus.SECURE);

    clock.now = NOW.plus(Duration.ofSeconds(120)); // the same answer, byte for byte, but its signatures have run out
    DnssecValidator.Validated later = lookup(v, "example.test", Type.MX);
    assertThat(later.dnssec().status()).as(later.dnssec().describe()).isEqualTo(DnssecStatus.BOGUS);
  }

  @Test
  void aChangedAnswerIsValidatedAnewNotTakenFromTheKeptOne() throws Exception {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, NOW.plus(Duration.ofDays(10))).serveOn(server);
    DnssecValidator v = validator(zone.trustAnchor());
    assertThat(lookup(v, "example.test", Type.MX).dnssec().status()).isEqualTo(DnssecStatus.SECURE);

    // the MX set changed at the server without a valid signature over it: one left from before
    server.remove("example.test", Type.MX).add(org.xbill.DNS.Record.fromString(
        name("example.test"), Type.MX, org.xbill.DNS.DClass.IN, 300, "20 mx9.example.test.", name("example.test")));
    DnssecValidator.Validated changed = lookup(v, "example.test", Type.MX);
    assertThat(changed.outcome().toString()).contains("mx9");
    assertThat(changed.dnssec().status()).as(changed.dnssec().describe()).isEqualTo(DnssecStatus.BOGUS);
  }

  @Test
  void aProvenAbsenceIsSecureToo() {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, NOW.plus(Duration.ofDays(10))).serveOn(server);
    DnssecValidator v = validator(zone.trustAnchor());

    DnssecValidator.Validated nx = lookup(v, "_25._tcp.mx2.example.test", Type.TLSA);
    assertThat(nx.outcome()).isInstanceOf(DnsOutcome.NxDomain.class);
    assertThat(nx.dnssec().status()).isEqualTo(DnssecStatus.SECURE);
    DnssecValidator.Validated nodata = lookup(v, "mx1.example.test", Type.AAAA);
    assertThat(nodata.outcome()).isInstanceOf(DnsOutcome.NoData.class);
    assertThat(nodata.dnssec().status()).isEqualTo(DnssecStatus.SECURE);
  }

  @Test
  void expiredSignaturesAreBogusWithAReasonAndTheDataIsStillRecorded() {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW.minus(Duration.ofDays(20)), NOW.minus(Duration.ofDays(1))).serveOn(server);
    DnssecValidator v = validator(zone.trustAnchor());

    DnssecValidator.Validated mx = lookup(v, "example.test", Type.MX);
    assertThat(mx.dnssec().status()).isEqualTo(DnssecStatus.BOGUS);
    assertThat(mx.dnssec().reason()).isNotBlank();
    assertThat(mx.outcome()).as("what is published, as a sender with CD would get it").isInstanceOf(DnsOutcome.Answer.class);
  }

  @Test
  void aRecordChangedAfterSigningIsBogus() {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, NOW.plus(Duration.ofDays(10))).serveOn(server);
    // the A record replaced behind the signer's back: its RRSIG no longer verifies
    server.remove("mx1.example.test", Type.A);
    server.load("example.test", "mx1 A 127.0.0.9\n");
    zone.records().stream()
        .filter(r -> r instanceof org.xbill.DNS.RRSIGRecord sig && sig.getTypeCovered() == Type.A && r.getName().equals(name("mx1.example.test")))
        .forEach(server::add);
    DnssecValidator v = validator(zone.trustAnchor());

    assertThat(lookup(v, "mx1.example.test", Type.A).dnssec().status()).isEqualTo(DnssecStatus.BOGUS);
    assertThat(lookup(v, "example.test", Type.MX).dnssec().status()).as("the rest of the zone still validates").isEqualTo(DnssecStatus.SECURE);
  }

  @Test
  void aNameNoAnchorCoversIsInsecure() {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, NOW.plus(Duration.ofDays(10))).serveOn(server);
    server.load("other.test", "@ MX 10 mx.other.test.\n");
    DnssecValidator v = validator(zone.trustAnchor());

    DnssecValidator.Validated mx = lookup(v, "other.test", Type.MX);
    assertThat(mx.outcome()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(mx.dnssec().status()).isEqualTo(DnssecStatus.INSECURE);
  }

  @Test
  void aKeyLookupThatTimesOutIsIndeterminateNeverBogus() {
    SignedZone zone = SignedZone.sign("example.test", ZONE, NOW, NOW.plus(Duration.ofDays(10))).serveOn(server);
    server.fault(q -> q.type() == Type.DNSKEY, Fault.drop());
    DnssecValidator v = validator(zone.trustAnchor());

    DnssecValidator.Validated mx = lookup(v, "example.test", Type.MX);
    assertThat(mx.outcome()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(mx.dnssec().status()).isEqualTo(DnssecStatus.INDETERMINATE);
    assertThat(mx.dnssec().reason()).contains("DNSKEY set for the trust anchor example.test.").contains("no answer");
  }

  @Test
  void aResolverWithoutTheAnchorsKeysPausesValidationInsteadOfCallingEverythingBogus() throws Exception {
    server.load("example.test", "@ MX 10 mx1\nmx1 A 127.0.0.2\n");
    DnssecValidator v = DnssecValidator.withRootAnchors(client, CLOCK); // the test server has no signed root

    DnssecValidator.Validated first = lookup(v, "example.test", Type.MX);
    assertThat(first.outcome()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(first.dnssec().status()).isEqualTo(DnssecStatus.INDETERMINATE);
    assertThat(first.dnssec().reason()).contains("trust anchor .");
    long asked = server.count(".", Type.DNSKEY);
    DnssecValidator.Validated second = lookup(v, "mx1.example.test", Type.A);
    assertThat(second.outcome()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(second.dnssec().status()).isEqualTo(DnssecStatus.INDETERMINATE);
    assertThat(second.dnssec().reason()).startsWith("validation unavailable");
    assertThat(server.count(".", Type.DNSKEY)).as("paused: the root's keys are not asked for again").isEqualTo(asked);
  }

  @Test
  void badTrustAnchorFilesAreRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> validator("example.test. 300 IN A 127.0.0.1\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a trust anchor is a DS or DNSKEY record, not A");
    assertThatThrownBy(() -> validator("; nothing\n")).hasMessageContaining("no trust anchor");
    assertThatThrownBy(() -> validator("example.test. IN DS not-a-number\n")).hasMessageContaining("not a list of trust anchors");
  }

  @Test
  void theShippedRootAnchorsAreTheTwoRootKeys() {
    DnssecValidator v = DnssecValidator.withRootAnchors(client, CLOCK);
    assertThat(v.anchors()).containsExactly(org.xbill.DNS.Name.root);
  }
}
