package io.mxwatch.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Severity;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Equal observations, equal fingerprints; any difference drift sees, a different fingerprint. */
class FingerprintTest {
  private static Observation observation(
      List<String> addresses, Long ttl, List<String> spf, String greeting, List<DomainState.Seen> findings, List<String> failures) {
    TreeMap<String, DomainState.Smtp> smtp = new TreeMap<>();
    smtp.put("127.0.0.10", DomainState.Smtp.of(true, greeting));
    DomainState.Mx mx = new DomainState.Mx("mx", List.of(new DomainState.Exchange(10, "mx1.example.org", ttl, addresses)));
    return new Observation(new DomainState(mx, spf, List.of("v=DMARC1; p=reject"), smtp, findings), failures);
  }

  private static final List<DomainState.Seen> NONE = List.of();
  private static final Observation BASE =
      observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of());

  @Test
  void equalObservationsHaveEqualFingerprintsAndAStableHexForm() {
    Observation same = observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of());
    assertThat(same).isEqualTo(BASE);
    assertThat(Fingerprint.of(same)).isEqualTo(Fingerprint.of(BASE));
    assertThat(Fingerprint.of(BASE).hex()).hasSize(32).matches("[0-9a-f]+");
  }

  @Test
  void everyDifferenceDriftSeesChangesTheFingerprint() {
    List<Observation> different =
        List.of(
            observation(List.of("127.0.0.11"), 300L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of()),
            observation(List.of("127.0.0.10"), 600L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of()),
            observation(List.of("127.0.0.10"), null, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of()),
            observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx ~all"), "mx1.example.org ESMTP ready", NONE, List.of()),
            observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx9.example.net ESMTP ready", NONE, List.of()),
            observation(
                List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready",
                List.of(new DomainState.Seen("MX_SINGLE_HOST", Severity.WARNING, "mx", "one exchange")), List.of()),
            observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx1.example.org ESMTP ready", NONE, List.of("x MX timeout")));
    for (Observation o : different) {
      assertThat(o).isNotEqualTo(BASE);
      assertThat(Fingerprint.of(o)).as(o.toString()).isNotEqualTo(Fingerprint.of(BASE));
    }
  }

  @Test
  void aStateWithoutTlsOrMtaStsKeepsTheFingerprintItHadBeforeTheyWereKept() {
    // the value 0.3 computed for BASE: an upgrade does not make every stored snapshot look new
    assertThat(Fingerprint.of(BASE).hex()).isEqualTo("cc65d34fd5db642a2ed55e3fe7c092ae");
    DomainState s = BASE.state();
    DomainState noPolicy = new DomainState(s.mx(), s.spf(), s.dmarc(), s.smtp(), s.findings(), null, DomainState.MtaSts.NONE);
    assertThat(Fingerprint.of(new Observation(noPolicy, List.of())).hex()).isEqualTo("cc65d34fd5db642a2ed55e3fe7c092ae");
    DomainState withPolicy = new DomainState(s.mx(), s.spf(), s.dmarc(), s.smtp(), s.findings(), null,
        new DomainState.MtaSts(true, "1", "enforce", 86400L, List.of("*.example.org")));
    assertThat(Fingerprint.of(new Observation(withPolicy, List.of()))).isNotEqualTo(Fingerprint.of(BASE));
    TreeMap<String, List<DomainState.Cert>> tls = new TreeMap<>();
    tls.put("127.0.0.10", List.of(new DomainState.Cert("RSA", "aa", "bb", "CN=mx1.example.org", "2027-01-01T00:00:00Z")));
    DomainState withCert = new DomainState(s.mx(), s.spf(), s.dmarc(), s.smtp(), s.findings(), tls, null);
    assertThat(Fingerprint.of(new Observation(withCert, List.of()))).isNotEqualTo(Fingerprint.of(BASE));
  }

  @Test
  void listsAreNotAmbiguous() {
    Observation one = observation(List.of("127.0.0.10"), 300L, List.of("a, b"), "x", NONE, List.of());
    Observation two = observation(List.of("127.0.0.10"), 300L, List.of("a", "b"), "x", NONE, List.of());
    assertThat(one.toString()).as("toString cannot tell them apart").isEqualTo(two.toString());
    assertThat(Fingerprint.of(one)).isNotEqualTo(Fingerprint.of(two));
  }

  @Test
  void aBannerCountsByItsStablePartAsDriftComparesIt() {
    Observation at10 = observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx.google.com ESMTP 5b1f17b1804b1-47a8si1234567wmb.12 - gsmtp", NONE, List.of());
    Observation at11 = observation(List.of("127.0.0.10"), 300L, List.of("v=spf1 mx -all"), "mx.google.com ESMTP 9c2e28c2915c2-58b9tj2345678xnc.34 - gsmtp", NONE, List.of());
    assertThat(at10).isEqualTo(at11);
    assertThat(Fingerprint.of(at10)).isEqualTo(Fingerprint.of(at11));
  }
}
