package io.mxwatch.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Audit;
import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.Finding;
import io.mxwatch.audit.FindingCode;
import io.mxwatch.audit.Status;
import io.mxwatch.dns.DnsLookup;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import io.mxwatch.testing.TestSmtpServer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Type;

class SnapshotterTest {
  static final String DOMAIN = "example.test";
  static final String ZONE =
      """
      @        MX 10 mx1
      @        MX 20 mx2
      mx1      A  127.0.0.2
      mx1      AAAA ::1
      mx2      A  127.0.0.3
      @        TXT "v=spf1 mx -all"
      _dmarc   TXT "v=DMARC1; p=reject"
      """;

  private static CheckFixture fixture() {
    CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE);
    return f.smtp("127.0.0.2", TestSmtpServer.wellBehaved())
        .smtp("127.0.0.3", TestSmtpServer.wellBehaved())
        .smtp("::1", TestSmtpServer.wellBehaved());
  }

  @Test
  void snapshotHoldsRecordsAddressesAndProbes() {
    try (CheckFixture f = fixture()) {
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.domain()).isEqualTo(DOMAIN);
      assertThat(s.checkedAt()).isEqualTo(CheckFixture.NOW);
      assertThat(s.mx().mode()).isEqualTo(MxResult.Mode.MX);
      assertThat(s.mx().authoritative()).isTrue();
      assertThat(s.mx().hosts()).extracting(MxHost::preference, MxHost::exchange, MxHost::ttl)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(10, "mx1.example.test", 300L),
              org.assertj.core.groups.Tuple.tuple(20, "mx2.example.test", 300L));
      MxHost mx1 = s.mx().hosts().get(0);
      assertThat(mx1.addresses()).extracting(MxHost.HostAddress::address).containsExactly("127.0.0.2", "::1");
      assertThat(mx1.aOutcome()).isEqualTo(DnsStatus.RECORDS);
      assertThat(mx1.cname()).isNull();
      assertThat(s.smtp()).extracting(SmtpProbe::address).containsExactly("127.0.0.2", "::1", "127.0.0.3");
      assertThat(s.smtp()).allMatch(SmtpProbe::accepting);
      assertThat(s.exchangesOf("::1")).containsExactly("mx1.example.test");
      assertThat(s.spf().record().text()).isEqualTo("v=spf1 mx -all");
      assertThat(s.spf().dnsLookups()).isEqualTo(1);
      assertThat(s.dmarc().record().effectivePolicy()).isEqualTo("reject");
      assertThat(s.lookups())
          .extracting(l -> l.type() + " " + l.name())
          .contains("MX example.test", "TXT example.test", "TXT _dmarc.example.test",
              "A mx1.example.test", "AAAA mx1.example.test", "A mx2.example.test", "AAAA mx2.example.test");
    }
  }

  @Test
  void eachNameAndTypeIsAskedOncePerCheck() {
    try (CheckFixture f = fixture()) {
      f.snapshot(DOMAIN); // the SPF "mx" term needs the MX set the MX section already asked for
      assertThat(f.dns.count(DOMAIN, Type.MX)).isEqualTo(1);
      f.snapshot(DOMAIN); // no cache between checks
      assertThat(f.dns.count(DOMAIN, Type.MX)).isEqualTo(2);
    }
  }

  static Stream<Arguments> mxOutcomes() {
    Function<CheckFixture, CheckFixture> servfail = f -> { f.dns.fault(DOMAIN, Type.MX, Fault.servfail()); return f; };
    Function<CheckFixture, CheckFixture> refused = f -> { f.dns.fault(DOMAIN, Type.MX, Fault.refused()); return f; };
    Function<CheckFixture, CheckFixture> timeout = f -> { f.dns.fault(DOMAIN, Type.MX, Fault.drop()); return f; };
    return Stream.of(
        Arguments.of("servfail", servfail, DnsStatus.SERVFAIL),
        Arguments.of("refused", refused, DnsStatus.REFUSED),
        Arguments.of("timeout", timeout, DnsStatus.TIMEOUT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mxOutcomes")
  void failedMxLookupIsUnknownNeverMxNone(String name, Function<CheckFixture, CheckFixture> fault, DnsStatus status) {
    try (CheckFixture f = fixture()) {
      fault.apply(f);
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.mx().outcome()).isEqualTo(status);
      assertThat(s.mx().mode()).isEqualTo(MxResult.Mode.UNKNOWN);
      assertThat(s.smtp()).isEmpty();
      Audit audit = new Auditor().audit(s);
      assertThat(audit.findings()).extracting(Finding::code)
          .contains(FindingCode.DNS_LOOKUP_FAILED)
          .doesNotContain(FindingCode.MX_NONE, FindingCode.MX_TARGET_NO_ADDRESS, FindingCode.SMTP_ALL_UNREACHABLE);
      assertThat(audit.findings()).filteredOn(x -> x.code() == FindingCode.DNS_LOOKUP_FAILED)
          .singleElement()
          .satisfies(x -> assertThat(x.message()).contains("MX lookup of example.test failed: " + status.label()));
      assertThat(audit.status()).isEqualTo(Status.UNKNOWN);
    }
  }

  @Test
  void nodataMxFallsBackToTheImplicitMx() {
    try (CheckFixture f = fixture()) {
      f.dns.remove(DOMAIN, Type.MX);
      f.zone(DOMAIN, "@ A 127.0.0.2\n");
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.mx().outcome()).isEqualTo(DnsStatus.NODATA);
      assertThat(s.mx().mode()).isEqualTo(MxResult.Mode.IMPLICIT);
      assertThat(s.mx().hosts()).singleElement().satisfies(h -> {
        assertThat(h.exchange()).isEqualTo(DOMAIN);
        assertThat(h.preference()).isZero();
      });
      assertThat(s.smtp()).extracting(SmtpProbe::address).containsExactly("127.0.0.2");
    }
  }

  @Test
  void nxdomainMeansNoMail() {
    try (CheckFixture f = fixture()) {
      Snapshot s = f.snapshot("nowhere.example.test");
      assertThat(s.mx().outcome()).isEqualTo(DnsStatus.NXDOMAIN);
      assertThat(s.mx().mode()).isEqualTo(MxResult.Mode.NONE);
      assertThat(s.spf().outcome()).isEqualTo(DnsStatus.NXDOMAIN);
      assertThat(new Auditor().audit(s).status()).isEqualTo(Status.CRITICAL);
    }
  }

  @Test
  void failedImplicitMxAddressLookupIsUnknown() {
    try (CheckFixture f = fixture()) {
      f.dns.remove(DOMAIN, Type.MX);
      f.dns.fault(DOMAIN, Type.A, Fault.servfail());
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.mx().mode()).isEqualTo(MxResult.Mode.UNKNOWN);
      assertThat(new Auditor().audit(s).findings()).extracting(Finding::code).doesNotContain(FindingCode.MX_NONE);
    }
  }

  @Test
  void failedExchangeAddressLookupIsNotAMissingAddress() {
    try (CheckFixture f = fixture()) {
      f.dns.fault("mx2.example.test", Type.A, Fault.drop());
      Snapshot s = f.snapshot(DOMAIN);
      MxHost mx2 = s.mx().hosts().get(1);
      assertThat(mx2.aOutcome()).isEqualTo(DnsStatus.TIMEOUT);
      assertThat(mx2.hasNoAddress()).isFalse();
      Audit audit = new Auditor().audit(s);
      assertThat(audit.findings()).extracting(Finding::code).doesNotContain(FindingCode.MX_TARGET_NO_ADDRESS);
      assertThat(audit.status()).isEqualTo(Status.UNKNOWN);
    }
  }

  @Test
  void failedTxtLookupsAreNotMissingPolicies() {
    try (CheckFixture f = fixture()) {
      f.dns.fault(DOMAIN, Type.TXT, Fault.servfail());
      f.dns.fault("_dmarc.example.test", Type.TXT, Fault.drop());
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.spf().outcome()).isEqualTo(DnsStatus.SERVFAIL);
      assertThat(s.dmarc().outcome()).isEqualTo(DnsStatus.TIMEOUT);
      Audit audit = new Auditor().audit(s);
      assertThat(audit.findings()).extracting(Finding::code)
          .doesNotContain(FindingCode.SPF_NONE, FindingCode.DMARC_NONE)
          .contains(FindingCode.DNS_LOOKUP_FAILED);
      assertThat(audit.status()).isEqualTo(Status.UNKNOWN);
    }
  }

  @Test
  void failedIncludeLookupMakesTheCountALowerBound() {
    try (CheckFixture f = fixture()) {
      f.zone(DOMAIN, "@ TXT \"v=spf1 include:_spf.example.test -all\"\n_spf TXT \"v=spf1 a -all\"\n");
      f.dns.fault("_spf.example.test", Type.TXT, Fault.drop());
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.spf().complete()).isFalse();
      assertThat(s.spf().dnsLookups()).isEqualTo(1);
      assertThat(new Auditor().audit(s).findings()).extracting(Finding::code)
          .doesNotContain(FindingCode.SPF_INCLUDE_MISSING, FindingCode.SPF_VOID_LOOKUPS);
    }
  }

  @Test
  void anSpfRecordOfHundredsOfLookupTermsIsCountedButQueriedOnlyUpToTheLimit() {
    try (CheckFixture f = fixture()) {
      StringBuilder spf = new StringBuilder("v=spf1");
      for (int i = 1; i <= 300; i++) {
        spf.append(" a:x").append(i).append(".evil.test");
      }
      f.zone(DOMAIN, TestDnsServer.txt("@", spf.append(" -all").toString()));

      Snapshot s = f.snapshot(DOMAIN);

      assertThat(s.spf().dnsLookups()).as("every term counted").isEqualTo(300);
      long queried = f.dns.queries().stream().filter(q -> q.name().toString().endsWith(".evil.test.")).count();
      assertThat(queried).as("A and AAAA of the first ten terms at most").isLessThanOrEqualTo(2 * 10);
      assertThat(new Auditor().audit(s).findings()).extracting(Finding::code).contains(FindingCode.SPF_TOO_MANY_LOOKUPS);
    }
  }

  @Test
  void termsBelowALevelWithMoreThanTwoVoidLookupsAreCountedButNotQueried() {
    try (CheckFixture f = fixture()) {
      f.zone(
          DOMAIN,
          "@ TXT \"v=spf1 a:v1.example.test a:v2.example.test a:v3.example.test include:deeper.example.test -all\"\n"
              + "deeper TXT \"v=spf1 a:w1.evil.test a:w2.evil.test -all\"\n");

      Snapshot s = f.snapshot(DOMAIN);

      assertThat(s.spf().voidLookups()).isEqualTo(3);
      assertThat(s.spf().dnsLookups()).as("every term counted").isEqualTo(6);
      assertThat(f.dns.queries()).as("a receiver stopped at the third void lookup")
          .noneMatch(q -> q.name().toString().endsWith(".evil.test."));
      assertThat(new Auditor().audit(s).findings()).extracting(Finding::code).contains(FindingCode.SPF_VOID_LOOKUPS);
    }
  }

  @Test
  void aDmarcRecordListingHundredsOfReportDestinationsCostsTenLookupsAtMost() {
    try (CheckFixture f = fixture()) {
      StringBuilder dmarc = new StringBuilder("v=DMARC1; p=reject; rua=");
      for (int i = 1; i <= 200; i++) {
        dmarc.append(i == 1 ? "" : ",").append("mailto:r@d").append(i).append(".evil.test");
      }
      f.zone(DOMAIN, TestDnsServer.txt("_dmarc", dmarc.toString()));

      Snapshot s = f.snapshot(DOMAIN);

      assertThat(s.dmarc().record().rua()).hasSize(200);
      long queried = f.dns.queries().stream().filter(q -> q.name().toString().contains("._report._dmarc.")).count();
      assertThat(queried).isLessThanOrEqualTo(10);
    }
  }

  @Test
  void thousandsOfExchangesOrAddressesCostACheckABoundedNumberOfLookupsAndProbes() {
    try (CheckFixture f = fixture()) {
      StringBuilder zone = new StringBuilder("@ MX 10 mx1\n");
      for (int i = 1; i <= 100; i++) {
        zone.append("@ MX ").append(100 + i).append(" many").append(i).append('\n');
        zone.append("many").append(i).append(" A 127.0.9.").append(i).append('\n');
      }
      for (int i = 1; i <= 200; i++) {
        zone.append("mx1 A 127.0.").append(10 + i / 200).append('.').append(i % 200 + 1).append('\n');
      }
      f.zone(DOMAIN, zone.toString());

      Snapshot s = f.snapshot(DOMAIN);

      assertThat(s.mx().hosts()).as("every MX record is listed").hasSize(101);

      long addressLookups = f.dns.queries().stream().filter(q -> q.name().toString().startsWith("many")).count();
      assertThat(addressLookups).as("A and AAAA of the first exchanges only").isLessThanOrEqualTo(2L * Snapshotter.MAX_EXCHANGES);
      assertThat(s.smtp()).as("probes").hasSizeLessThanOrEqualTo(Snapshotter.MAX_PROBES);
    }
  }

  @Test
  void oneDomainsTarpitsHoldAFewSmtpConnectionsAtOnceNotOnePerAddress() {
    // when each tarpit was connected to; a probe gives up after the fixture's 700 ms read timeout,
    // so a connection beyond the first PROBES_AT_ONCE can only come after that (the servers see a
    // closed connection later than the prober closes it, so they cannot count what is open)
    java.util.List<Long> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestSmtpServer.Behaviour tarpit =
        (socket, commands) -> {
          accepted.add(System.nanoTime());
          socket.getInputStream().read(); // says nothing; holds the connection until the prober gives up
        };
    try (CheckFixture f = fixture()) {
      StringBuilder zone = new StringBuilder("@ MX 10 mx1\n");
      for (int i = 1; i <= 12; i++) {
        zone.append("mx1 A 127.0.12.").append(i).append('\n');
        f.smtp("127.0.12." + i, tarpit);
      }
      f.zone(DOMAIN, zone.toString());

      Snapshot s = f.snapshot(DOMAIN);

      assertThat(s.smtp()).filteredOn(p -> p.address().startsWith("127.0.12.")).as("every tarpit probed in turn").hasSize(12);
      long first = accepted.stream().mapToLong(Long::longValue).min().orElseThrow();
      long early = accepted.stream().filter(t -> t - first < java.time.Duration.ofMillis(500).toNanos()).count();
      assertThat(early).as("connections before any probe of the check could give up").isPositive().isLessThanOrEqualTo(Snapshotter.PROBES_AT_ONCE);
    }
  }

  @Test
  void cnameExchangeIsRecordedWithItsTarget() {
    try (CheckFixture f = fixture()) {
      f.dns.remove("mx2.example.test", Type.A);
      f.zone(DOMAIN, "mx2 CNAME mx1\n");
      MxHost mx2 = f.snapshot(DOMAIN).mx().hosts().get(1);
      assertThat(mx2.cname()).isEqualTo("mx1.example.test");
      assertThat(mx2.addresses()).extracting(MxHost.HostAddress::address).contains("127.0.0.2");
    }
  }

  @Test
  void truncatedTxtAnswerIsReadOverTcp() {
    try (CheckFixture f = fixture()) {
      f.dns.fault(q -> q.is(DOMAIN, Type.TXT), Fault.truncate());
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.spf().outcome()).isEqualTo(DnsStatus.RECORDS);
      assertThat(s.spf().record()).isNotNull();
    }
  }

  @Test
  void smtpCanBeSkippedAndIpv6LeftOut() {
    try (CheckFixture f = fixture().withoutSmtp()) {
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.smtpProbed()).isFalse();
      assertThat(s.smtp()).isEmpty();
    }
    try (CheckFixture f = fixture().withoutIpv6()) {
      assertThat(f.snapshot(DOMAIN).smtp()).extracting(SmtpProbe::address).containsExactly("127.0.0.2", "127.0.0.3");
    }
  }

  @Test
  void everyLookupOutcomeIsRecorded() {
    try (CheckFixture f = fixture()) {
      f.dns.fault("mx2.example.test", Type.AAAA, Fault.refused());
      f.dns.remove("mx1.example.test", Type.AAAA);
      f.zone(DOMAIN, "@ TXT \"v=spf1 mx include:gone.example.test -all\"\n");
      Snapshot s = f.snapshot(DOMAIN);
      assertThat(s.lookups()).extracting(DnsLookup::outcome)
          .contains(DnsStatus.RECORDS, DnsStatus.NODATA, DnsStatus.NXDOMAIN, DnsStatus.REFUSED);
      assertThat(s.lookups()).filteredOn(l -> l.outcome() == DnsStatus.REFUSED)
          .singleElement()
          .satisfies(l -> assertThat(l.name() + " " + l.type()).isEqualTo("mx2.example.test AAAA"));
    }
  }
}
