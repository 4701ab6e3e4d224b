package io.mxwatch.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestCa;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DANE-TA: the leaf must be issued under the trust anchor, which takes its key, not its name. */
class DaneTest {
  private static final String MX = "mx1.example.test";
  private final TestCa ca = new TestCa("mxwatch dane-ta root");

  private TlsaRecord trustAnchor() throws Exception {
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.root().getEncoded()));
    return new TlsaRecord(2, 0, 1, digest);
  }

  @Test
  void aLeafIssuedUnderTheTrustAnchorMatches() throws Exception {
    TestCa.Leaf leaf = ca.issue(TestCa.Key.EC, List.of(MX));
    List<CertificateFacts> chain = CertificateFacts.ofChain(List.of(leaf.certificate(), ca.root()));
    assertThat(chain.getFirst().signedByNext()).isTrue();
    assertThat(chain.getLast().signedByNext()).as("nothing after the last").isNull();
    Dane.Match m = Dane.match(List.of(trustAnchor()), chain, MX, Instant.now());
    assertThat(m.ok()).as(m.problem()).isTrue();
  }

  @Test
  void aLeafFromAnotherKeyUnderTheSameNameDoesNotMatch() throws Exception {
    // another CA of the same name: its leaf names the trust anchor as issuer, but another key signed it
    TestCa impostor = new TestCa("mxwatch dane-ta root");
    TestCa.Leaf leaf = impostor.issue(TestCa.Key.EC, List.of(MX));
    assertThat(leaf.certificate().getIssuerX500Principal()).isEqualTo(ca.root().getSubjectX500Principal());
    List<CertificateFacts> chain = CertificateFacts.ofChain(List.of(leaf.certificate(), ca.root()));
    assertThat(chain.getFirst().signedByNext()).isFalse();
    Dane.Match m = Dane.match(List.of(trustAnchor()), chain, MX, Instant.now());
    assertThat(m.ok()).isFalse();
    assertThat(m.problem()).contains("the chain below it is broken").contains("not the key that signed it");
  }

  @Test
  void aStoredChainWithoutSignaturesIsJudgedByNamesAsBefore() throws Exception {
    TestCa.Leaf leaf = ca.issue(TestCa.Key.EC, List.of(MX));
    List<CertificateFacts> chain = List.of(CertificateFacts.of(leaf.certificate()), CertificateFacts.of(ca.root()));
    assertThat(Dane.match(List.of(trustAnchor()), chain, MX, Instant.now()).ok()).isTrue();
  }
}
