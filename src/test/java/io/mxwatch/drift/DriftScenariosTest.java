package io.mxwatch.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer.Fault;
import io.mxwatch.testing.TestSmtpServer;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drift end to end inside the JVM: the in-JVM DNS server's zone changes between checks, each
 * check goes through the real Snapshotter and Auditor, and the engine decides.
 */
class DriftScenariosTest {
  static final String DOMAIN = CheckFixture.DOMAIN;
  static final String ZONE = CheckFixture.TWO_EXCHANGES;

  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE).withoutSmtp().withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private DriftState state = DriftState.INITIAL;
  private Expectations expectations = Expectations.NONE;
  private Instant clock = CheckFixture.NOW;

  @AfterEach
  void close() {
    f.close();
  }

  /** One scheduled check: snapshot, audit, drift. Returns the changes it confirmed. */
  private List<Change> check() {
    Snapshot snapshot = f.snapshot(DOMAIN);
    CheckResult result = new CheckResult(snapshot, new Auditor().audit(snapshot));
    clock = clock.plus(Duration.ofMinutes(5));
    DriftEngine.Step step = engine.step(state, Observation.of(result), expectations, clock);
    state = step.state();
    return step.events().stream().map(DriftEngine.ChangeEvent::change).toList();
  }

  private List<Change> checks(int n) {
    List<Change> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.addAll(check());
    }
    return all;
  }

  private void learn() {
    assertThat(checks(2)).isEmpty();
    assertThat(state.baseline()).isNotNull();
  }

  private static List<String> codes(List<Change> changes) {
    return changes.stream().map(Change::code).toList();
  }

  @Test
  void firstConfirmedStateBecomesTheBaselineWithoutAnyEvent() {
    assertThat(check()).isEmpty();
    assertThat(state.baseline()).isNull(); // one sighting is not confirmed yet
    assertThat(check()).isEmpty();
    assertThat(state.baseline()).isEqualTo(state.confirmed()).isNotNull();
    assertThat(engine.open(state, expectations)).isEmpty();
    assertThat(checks(3)).isEmpty();
  }

  @Test
  void removedExchangeIsReportedOnceConfirmedWithBeforeAndAfter() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("@        MX 20 mx2\n", ""));
    assertThat(check()).as("seen once: not confirmed").isEmpty();
    List<Change> confirmed = check();
    assertThat(confirmed).extracting(Change::code).contains("MX_REMOVED");
    Change removed = confirmed.stream().filter(c -> c.code().equals("MX_REMOVED")).findFirst().orElseThrow();
    assertThat(removed.subject()).isEqualTo("mx2.example.test");
    assertThat(removed.before()).isEqualTo("20 mx2.example.test");
    assertThat(removed.after()).isEqualTo(Change.ABSENT);
    assertThat(removed.toString()).isEqualTo("MX_REMOVED mx2.example.test: 20 mx2.example.test → absent");
    assertThat(codes(engine.open(state, expectations))).contains("MX_REMOVED");
    assertThat(checks(3)).as("reported once, not on every check").isEmpty();
  }

  @Test
  void aFlapThatLastsOneCheckIsNoChange() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    assertThat(check()).isEmpty();
    f.dns.replace(DOMAIN, ZONE);
    assertThat(checks(4)).isEmpty();
    assertThat(engine.open(state, expectations)).isEmpty();
  }

  @Test
  void aResolverTimingOutForManyChecksIsLookupFailingNeverRemoval() {
    learn();
    f.dnsTimeout(Duration.ofMillis(150), 0);
    f.dns.fault(q -> true, Fault.drop());
    List<Change> during = checks(5);
    assertThat(codes(during)).containsExactly("DNS_LOOKUP_FAILING");
    assertThat(during.getFirst().after()).contains("example.test MX timeout");
    assertThat(codes(engine.open(state, expectations))).containsExactly("DNS_LOOKUP_FAILING");
    assertThat(state.confirmed()).isEqualTo(state.baseline());

    f.dns.clearFaults();
    assertThat(codes(checks(3))).containsExactly("DNS_LOOKUP_RECOVERED");
    assertThat(engine.open(state, expectations)).isEmpty();
  }

  @Test
  void aSingleFailedLookupAmongAnswersKeepsTheLastKnownPart() {
    learn();
    f.dnsTimeout(Duration.ofMillis(150), 0);
    f.dns.fault("_dmarc.example.test", org.xbill.DNS.Type.TXT, Fault.servfail());
    assertThat(codes(checks(3))).containsExactly("DNS_LOOKUP_FAILING");
    assertThat(state.confirmed().dmarc()).containsExactly("v=DMARC1; p=reject");
  }

  @Test
  void approvingTheCurrentStateMakesItTheBaselineAndResolvesTheDrift() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=quarantine"));
    assertThat(codes(checks(2))).containsExactly("DMARC_POLICY_WEAKENED");
    assertThat(engine.open(state, expectations)).hasSize(1);

    state = state.approved();
    assertThat(engine.open(state, expectations)).isEmpty();
    assertThat(state.baseline().dmarc()).containsExactly("v=DMARC1; p=quarantine");
    assertThat(checks(3)).isEmpty();
  }

  @Test
  void goingBackToTheBaselineIsAChangeBackAndClosesTheDrift() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    assertThat(codes(checks(2))).containsExactly("DMARC_POLICY_WEAKENED", "DMARC_POLICY_NONE");
    f.dns.replace(DOMAIN, ZONE);
    List<Change> back = checks(2);
    assertThat(codes(back)).containsExactly("DMARC_CHANGED", "DMARC_POLICY_NONE");
    assertThat(back.get(1).after()).isEqualTo("cleared");
    assertThat(engine.open(state, expectations)).isEmpty();
  }

  @Test
  void spfChangesAreReportedTermByTerm() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("v=spf1 mx -all", "v=spf1 mx ip4:127.0.0.9 ~all"));
    Change spf = checks(2).stream().filter(c -> c.code().equals("SPF_CHANGED")).findFirst().orElseThrow();
    assertThat(spf.before()).isEqualTo("-all");
    assertThat(spf.after()).isEqualTo("ip4:127.0.0.9 ~all");
  }

  @Test
  void removedSpfAndAddedExchangeAreReported() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("@        TXT \"v=spf1 mx -all\"\n", "") + "@ MX 30 mx3\nmx3 A 127.0.0.4\n");
    List<Change> changes = checks(2);
    assertThat(codes(changes)).contains("SPF_REMOVED", "MX_ADDED", "SPF_NONE");
    assertThat(changes).filteredOn(c -> c.code().equals("MX_ADDED")).extracting(Change::after).containsExactly("30 mx3.example.test");
  }

  @Test
  void changedAddressOfAnExchange() {
    learn();
    f.dns.replace(DOMAIN, ZONE.replace("mx2      A  127.0.0.3", "mx2      A  127.0.0.5"));
    assertThat(checks(2))
        .filteredOn(c -> c.code().equals("MX_ADDRESS_CHANGED"))
        .extracting(Change::subject, Change::before, Change::after)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("mx2.example.test", "127.0.0.3", "127.0.0.5"));
  }

  @Test
  void declaredExpectationsAreTheBaselineForWhatTheyCover() {
    expectations = new Expectations(List.of("10 mx1.example.test", "20 mx2.example.test"), "reject", null);
    learn();
    assertThat(engine.open(state, expectations)).isEmpty();

    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=quarantine"));
    List<Change> changes = checks(2);
    assertThat(codes(changes)).contains("DMARC_POLICY_WEAKENED", "EXPECTATION_MISMATCH");
    Change mismatch = changes.stream().filter(c -> c.code().equals("EXPECTATION_MISMATCH")).findFirst().orElseThrow();
    assertThat(mismatch.subject()).isEqualTo("dmarc");
    assertThat(mismatch.before()).isEqualTo("p=reject");
    assertThat(mismatch.after()).isEqualTo("p=quarantine");

    state = state.approved(); // approving does not silence a declared expectation
    assertThat(codes(engine.open(state, expectations))).containsExactly("EXPECTATION_MISMATCH");
  }

  @Test
  void anExpectationNotMetFromTheStartIsReportedWhenLearning() {
    expectations = new Expectations(List.of("10 mx1.example.test"), null, "v=spf1 -all");
    List<Change> changes = checks(2);
    assertThat(changes).extracting(Change::code, Change::subject)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("EXPECTATION_MISMATCH", "mx"),
            org.assertj.core.groups.Tuple.tuple("EXPECTATION_MISMATCH", "spf"));
    assertThat(changes.getFirst().before()).isEqualTo("10 mx1.example.test");
    assertThat(changes.getFirst().after()).isEqualTo("10 mx1.example.test, 20 mx2.example.test");
  }

  @Test
  void anExchangeThatStopsAnsweringAndComesBack() throws Exception {
    try (CheckFixture smtp = new CheckFixture().zone(DOMAIN, ZONE).withoutIpv6()) {
      TestSmtpServer mx1 = TestSmtpServer.start(InetAddress.getByName("127.0.0.2"), smtp.smtpPort, TestSmtpServer.wellBehaved());
      TestSmtpServer mx2 = TestSmtpServer.start(InetAddress.getByName("127.0.0.3"), smtp.smtpPort, TestSmtpServer.wellBehaved());
      try {
        DriftState s = DriftState.INITIAL;
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          s = stepWith(smtp, s, changes);
        }
        assertThat(changes).isEmpty();
        mx1.close(); // the primary's port is now closed: refused
        for (int i = 0; i < 2; i++) {
          s = stepWith(smtp, s, changes);
        }
        assertThat(changes).extracting(Change::code)
            .contains("SMTP_BECAME_UNREACHABLE", "SMTP_PRIMARY_UNREACHABLE");
        assertThat(changes).filteredOn(c -> c.code().equals("SMTP_BECAME_UNREACHABLE"))
            .extracting(Change::subject).containsExactly("127.0.0.2 (mx1.example.test)");
        changes.clear();
        mx1 = TestSmtpServer.start(InetAddress.getByName("127.0.0.2"), smtp.smtpPort, TestSmtpServer.wellBehaved());
        for (int i = 0; i < 2; i++) {
          s = stepWith(smtp, s, changes);
        }
        assertThat(changes).extracting(Change::code).contains("SMTP_RECOVERED");
        assertThat(engine.open(s, Expectations.NONE)).isEmpty();
      } finally {
        mx1.close();
        mx2.close();
      }
    }
  }

  @Test
  void aRenewedCertificateIsHistoryAndSaysWhetherTheKeyStayed() throws Exception {
    try (CheckFixture smtp = new CheckFixture().zone(DOMAIN, ZONE.replace("mx2      A  127.0.0.3", "mx2      A  127.0.0.2")).withoutIpv6()) {
      Instant now = Instant.now();
      io.mxwatch.testing.TestCa.Leaf[] serving = {io.mxwatch.testing.TestCa.shared().issue(io.mxwatch.testing.TestCa.Key.RSA, List.of("*.example.test"), now.minusSeconds(60), now.plus(Duration.ofDays(3000)))};
      smtp.smtp("127.0.0.2", TestSmtpServer.startTls((name, key) -> key == io.mxwatch.testing.TestCa.Key.RSA ? serving[0] : null));
      DriftState s = DriftState.INITIAL;
      List<Change> changes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        s = stepWith(smtp, s, changes);
      }
      assertThat(changes).isEmpty();
      serving[0] = io.mxwatch.testing.TestCa.shared().issueWithNewKey(io.mxwatch.testing.TestCa.Key.RSA, List.of("*.example.test"), now.minusSeconds(60), now.plus(Duration.ofDays(3001)));
      for (int i = 0; i < 2; i++) {
        s = stepWith(smtp, s, changes);
      }
      assertThat(changes).singleElement().satisfies(c -> {
        assertThat(c.code()).isEqualTo("TLS_CERT_REPLACED");
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.INFO);
        assertThat(c.subject()).isEqualTo("127.0.0.2 (mx1.example.test, mx2.example.test) RSA");
        assertThat(c.after()).endsWith("(new key)");
      });
      assertThat(engine.open(s, Expectations.NONE)).as("a renewal waits for no approval").isEmpty();
    }
  }

  @Test
  void tlsaRecordsChangedAndANewKeyNoRecordNamesAreChangesTheLatterCritical() throws Exception {
    Instant now = Instant.now();
    io.mxwatch.testing.TestCa.Leaf[] serving = {io.mxwatch.testing.TestCa.shared().issueWithNewKey(io.mxwatch.testing.TestCa.Key.RSA, List.of("mx1.example.test"), now.minusSeconds(60), now.plus(Duration.ofDays(3000)))};
    String current = "_25._tcp.mx1 TLSA 3 1 1 " + io.mxwatch.tls.CertificateFacts.of(serving[0].certificate()).spkiSha256() + "\n";
    String next = "_25._tcp.mx1 TLSA 3 1 1 " + "ab".repeat(32) + "\n";
    String zone = "@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n@ MX 10 mx1\nmx1 A 127.0.0.2\n"
        + "@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls@example.test\"\n";
    try (CheckFixture dane = new CheckFixture().withoutIpv6()) {
      java.util.function.Consumer<String> publish = records ->
          dane.dnssec(io.mxwatch.testing.SignedZone.sign(DOMAIN, zone + records, CheckFixture.NOW, CheckFixture.NOW.plus(Duration.ofDays(30))).serveOn(dane.dns).trustAnchor());
      publish.accept(current);
      dane.smtp("127.0.0.2", TestSmtpServer.startTls((name, key) -> key == io.mxwatch.testing.TestCa.Key.RSA ? serving[0] : null));
      DriftState s = DriftState.INITIAL;
      List<Change> changes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        s = stepWith(dane, s, changes);
      }
      assertThat(changes).isEmpty();

      publish.accept(current + next); // the next key's record published beside the current one
      for (int i = 0; i < 2; i++) {
        s = stepWith(dane, s, changes);
      }
      assertThat(changes).extracting(Change::code).as("and the single record's finding cleared").containsExactlyInAnyOrder("TLSA_CHANGED", "DANE_SINGLE_TLSA");
      assertThat(changes).filteredOn(c -> c.code().equals("TLSA_CHANGED")).singleElement().satisfies(c -> {
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.WARNING);
        assertThat(c.subject()).isEqualTo("_25._tcp.mx1.example.test");
        assertThat(c.before()).startsWith("3 1 1 ").doesNotContain("|");
        assertThat(c.after().split(" \\| ")).as("both records, in the set's order").hasSize(2).contains("3 1 1 abababababababab…", c.before());
      });
      changes.clear();

      // a new key, but not the one published: DANE senders refuse it
      serving[0] = io.mxwatch.testing.TestCa.shared().issueWithNewKey(io.mxwatch.testing.TestCa.Key.RSA, List.of("mx1.example.test"), now.minusSeconds(60), now.plus(Duration.ofDays(3000)));
      for (int i = 0; i < 2; i++) {
        s = stepWith(dane, s, changes);
      }
      assertThat(changes).extracting(Change::code).contains("TLS_CERT_REPLACED", "DANE_KEY_CHANGED_WITHOUT_TLSA");
      assertThat(changes).filteredOn(c -> c.code().equals("DANE_KEY_CHANGED_WITHOUT_TLSA")).singleElement().satisfies(c -> {
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.CRITICAL);
        assertThat(c.subject()).isEqualTo("127.0.0.2 (mx1.example.test) RSA");
        assertThat(c.after()).contains("named by none of 3 1 1");
      });
      assertThat(engine.open(s, Expectations.NONE)).extracting(Change::code).contains("DANE_KEY_CHANGED_WITHOUT_TLSA");
    }
  }

  @Test
  void signaturesLeftToExpireBreakDnssecCriticallyAndReSigningRepairsIt() {
    String zone = "@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n@ MX 10 mx1\nmx1 A 127.0.0.2\n"
        + "@ TXT \"v=spf1 mx -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n";
    try (CheckFixture signed = new CheckFixture().withoutSmtp().withoutIpv6()) {
      java.util.function.BiConsumer<Instant, Instant> sign = (inception, expiry) ->
          signed.dnssec(io.mxwatch.testing.SignedZone.sign(DOMAIN, zone, inception, expiry).serveOn(signed.dns).trustAnchor());
      sign.accept(CheckFixture.NOW, CheckFixture.NOW.plus(Duration.ofDays(30)));
      DriftState s = DriftState.INITIAL;
      List<Change> changes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        s = stepWith(signed, s, changes);
      }
      assertThat(changes).isEmpty();

      // the signer stopped: the signatures ran out a day ago
      sign.accept(CheckFixture.NOW.minus(Duration.ofDays(30)), CheckFixture.NOW.minus(Duration.ofDays(1)));
      s = stepWith(signed, s, changes);
      assertThat(changes).as("one bogus check is not yet a confirmed change").isEmpty();
      s = stepWith(signed, s, changes);
      assertThat(changes).filteredOn(c -> c.code().startsWith("DNSSEC_") && !c.code().equals("DNSSEC_BOGUS")).singleElement().satisfies(c -> {
        assertThat(c.code()).isEqualTo("DNSSEC_BROKEN");
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.CRITICAL);
        assertThat(c.before()).isEqualTo("secure");
        assertThat(c.after()).isEqualTo("bogus");
      });
      assertThat(engine.open(s, Expectations.NONE)).extracting(Change::code).contains("DNSSEC_BROKEN");
      changes.clear();

      sign.accept(CheckFixture.NOW, CheckFixture.NOW.plus(Duration.ofDays(30)));
      for (int i = 0; i < 2; i++) {
        s = stepWith(signed, s, changes);
      }
      assertThat(changes).filteredOn(c -> c.code().equals("DNSSEC_CHANGED")).singleElement().satisfies(c -> {
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.INFO);
        assertThat(c.before()).isEqualTo("bogus");
        assertThat(c.after()).isEqualTo("secure");
      });
    }
  }

  @Test
  void anMtaStsPolicyWeakenedOrChangedWithoutANewId() {
    String enforce = "version: STSv1\r\nmode: enforce\r\nmx: *.example.test\r\nmax_age: 604800\r\n";
    try (CheckFixture sts = new CheckFixture().zone(DOMAIN, ZONE).withoutSmtp().withoutIpv6()) {
      io.mxwatch.testing.TestHttpsServer host = sts.mtaSts(DOMAIN, "1", enforce);
      DriftState s = DriftState.INITIAL;
      List<Change> changes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        s = stepWith(sts, s, changes);
      }
      assertThat(changes).extracting(Change::code).doesNotContain("MTA_STS_POLICY_CHANGED", "MTA_STS_MODE_WEAKENED");
      changes.clear();
      // a pattern added, the id left as it was: senders keep the cached copy
      host.reply(io.mxwatch.testing.TestHttpsServer.Reply.policy(enforce.replace("mx: *.example.test", "mx: *.example.test\r\nmx: backup.example.net")));
      for (int i = 0; i < 2; i++) {
        s = stepWith(sts, s, changes);
      }
      assertThat(changes).filteredOn(c -> c.code().startsWith("MTA_STS")).singleElement().satisfies(c -> {
        assertThat(c.code()).isEqualTo("MTA_STS_POLICY_CHANGED_WITHOUT_ID");
        assertThat(c.before()).isEqualTo("mode enforce, max_age 604800, mx *.example.test (id 1)");
        assertThat(c.after()).isEqualTo("mode enforce, max_age 604800, mx *.example.test backup.example.net (id 1)");
      });
      changes.clear();
      // enforce → testing, with a new id
      sts.dns.remove("_mta-sts.example.test", org.xbill.DNS.Type.TXT);
      sts.zone(DOMAIN, "_mta-sts TXT \"v=STSv1; id=2\"\n");
      host.reply(io.mxwatch.testing.TestHttpsServer.Reply.policy(enforce.replace("enforce", "testing")));
      for (int i = 0; i < 2; i++) {
        s = stepWith(sts, s, changes);
      }
      assertThat(changes).filteredOn(c -> c.code().startsWith("MTA_STS")).singleElement().satisfies(c -> {
        assertThat(c.code()).isEqualTo("MTA_STS_MODE_WEAKENED");
        assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.CRITICAL);
      });
      changes.clear();
      // the policy host down: unknown, not "removed"
      host.close();
      for (int i = 0; i < 3; i++) {
        s = stepWith(sts, s, changes);
      }
      assertThat(changes).extracting(Change::code).doesNotContain("MTA_STS_MODE_WEAKENED", "MTA_STS_POLICY_CHANGED");
    }
  }

  private DriftState stepWith(CheckFixture fixture, DriftState s, List<Change> changes) {
    Snapshot snapshot = fixture.snapshot(DOMAIN);
    clock = clock.plus(Duration.ofMinutes(5));
    DriftEngine.Step step = engine.step(s, Observation.of(new CheckResult(snapshot, new Auditor().audit(snapshot))), Expectations.NONE, clock);
    step.events().forEach(e -> changes.add(e.change()));
    return step.state();
  }

  @Test
  void twoChecksOfAnUnchangedDomainGiveEqualObservations() {
    Snapshot a = f.snapshot(DOMAIN);
    Snapshot b = f.snapshot(DOMAIN);
    assertThat(Observation.of(new CheckResult(a, new Auditor().audit(a))))
        .isEqualTo(Observation.of(new CheckResult(b, new Auditor().audit(b))));
  }

  @Test
  void confirmationsMustBeAtLeastOne() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DriftEngine(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
