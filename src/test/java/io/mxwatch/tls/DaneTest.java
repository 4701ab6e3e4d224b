package io.mxwatch.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestCa;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DANE matching as RFC 7672 has SMTP senders do it: the table of usages, selectors and matching
 * types against a served chain, and DANE-TA's link from the leaf to the trust anchor, which takes
 * its key, not its name.
 */
class DaneTest {
  private static final String MX = "mx1.example.test";
  private static final TestCa ca = new TestCa("mxwatch dane-ta root");
  private static final Instant NOW = Instant.now();
  private static final TestCa.Leaf LEAF = ca.issue(TestCa.Key.EC, List.of(MX));
  private static final TestCa.Leaf EXPIRED = ca.issue(TestCa.Key.EC, List.of(MX), NOW.minus(Duration.ofDays(90)), NOW.minus(Duration.ofDays(1)));
  private static final TestCa.Leaf OTHER_NAME = ca.issue(TestCa.Key.EC, List.of("mail.elsewhere.test"));

  /** The association data of {@code cert} for a selector and matching type, as a zone would publish it. */
  private static String data(X509Certificate cert, int selector, int matchingType) throws Exception {
    byte[] selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
    byte[] data = switch (matchingType) {
      case 0 -> selected;
      case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
      default -> MessageDigest.getInstance("SHA-512").digest(selected);
    };
    return HexFormat.of().formatHex(data);
  }

  private static List<CertificateFacts> chain(TestCa.Leaf leaf) {
    return CertificateFacts.ofChain(List.of(leaf.certificate(), ca.root()));
  }

  /** usage, selector, matching type, whose data (leaf, ca or none), served leaf, whether a sender accepts it. */
  static Stream<Arguments> table() {
    return Stream.of(
        // DANE-EE: the leaf's key or certificate, names and dates ignored (RFC 7672 §3.1.1)
        Arguments.of(3, 1, 1, "leaf", "valid", true),
        Arguments.of(3, 0, 1, "leaf", "valid", true),
        Arguments.of(3, 1, 2, "leaf", "valid", true),
        Arguments.of(3, 0, 2, "leaf", "valid", true),
        Arguments.of(3, 1, 0, "leaf", "valid", true),
        Arguments.of(3, 0, 0, "leaf", "valid", true),
        Arguments.of(3, 1, 1, "leaf", "expired", true),
        Arguments.of(3, 0, 1, "leaf", "other-name", true),
        Arguments.of(3, 1, 1, "ca", "valid", false), // a CA's key in a DANE-EE record
        Arguments.of(3, 1, 1, "none", "valid", false),
        // DANE-TA: a certificate above the leaf, then the leaf's names and dates apply (§3.1.2)
        Arguments.of(2, 0, 1, "ca", "valid", true),
        Arguments.of(2, 1, 1, "ca", "valid", true),
        Arguments.of(2, 1, 2, "ca", "valid", true),
        Arguments.of(2, 0, 0, "ca", "valid", true),
        Arguments.of(2, 0, 1, "leaf", "valid", false), // the leaf is no trust anchor
        Arguments.of(2, 0, 1, "ca", "expired", false),
        Arguments.of(2, 1, 1, "ca", "other-name", false),
        Arguments.of(2, 0, 1, "none", "valid", false),
        // PKIX usages are not used for SMTP (§3.1.3), whatever they name
        Arguments.of(1, 1, 1, "leaf", "valid", false),
        Arguments.of(0, 0, 1, "ca", "valid", false),
        // an unknown matching type or selector is unusable
        Arguments.of(3, 1, 3, "leaf", "valid", false),
        Arguments.of(3, 2, 1, "leaf", "valid", false));
  }

  @ParameterizedTest(name = "{0} {1} {2} naming the {3} certificate, {4} leaf served: match {5}")
  @MethodSource("table")
  void theTlsaTable(int usage, int selector, int matchingType, String named, String served, boolean matches) throws Exception {
    TestCa.Leaf leaf = switch (served) {
      case "expired" -> EXPIRED;
      case "other-name" -> OTHER_NAME;
      default -> LEAF;
    };
    X509Certificate target = named.equals("ca") ? ca.root() : leaf.certificate();
    String data = named.equals("none") ? "ab".repeat(32) : data(target, Math.min(selector, 1), Math.min(matchingType, 2));
    Dane.Match m = Dane.match(List.of(new TlsaRecord(usage, selector, matchingType, data)), chain(leaf), MX, NOW);
    assertThat(m.ok()).as(String.valueOf(m.problem())).isEqualTo(matches);
    if (!matches) {
      assertThat(m.problem()).isNotBlank();
    }
  }

  @Test
  void theWhyOfAMismatchNamesWhatDidNotHold() throws Exception {
    TlsaRecord ta = new TlsaRecord(2, 0, 1, data(ca.root(), 0, 1));
    assertThat(Dane.match(List.of(ta), chain(EXPIRED), MX, NOW).problem()).contains("matches").contains("expired");
    assertThat(Dane.match(List.of(ta), chain(OTHER_NAME), MX, NOW).problem()).contains("not for " + MX);
    assertThat(Dane.match(List.of(new TlsaRecord(3, 1, 1, "ab".repeat(32))), chain(LEAF), MX, NOW).problem())
        .contains("no TLSA record matches the EC certificate");
    assertThat(Dane.match(List.of(ta), List.of(), MX, NOW).problem()).isEqualTo("no certificate was served");
  }

  @Test
  void oneMatchingRecordAmongOthersIsEnough() throws Exception {
    List<TlsaRecord> rollover = List.of(new TlsaRecord(3, 1, 1, "cd".repeat(32)), new TlsaRecord(3, 1, 1, data(LEAF.certificate(), 1, 1)));
    assertThat(Dane.match(rollover, chain(LEAF), MX, NOW).matched()).isEqualTo(rollover.get(1));
  }

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
