package io.mxwatch.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.policy.DkimResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * DKIM keys of configured selectors, published by the in-JVM DNS server: real RSA keys of 1024,
 * 2048 and 4096 bits and an Ed25519 key, generated here, and the ways a key record goes wrong.
 */
class DkimScenariosTest {
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static String rsa1024;
  private static String rsa2048;
  private static String rsa4096;
  private static String ed25519;
  private static String rsa512;

  private final CheckFixture fixture = new CheckFixture().withoutSmtp();

  @BeforeAll
  static void keys() throws Exception {
    rsa512 = rsa(512);
    rsa1024 = rsa(1024);
    rsa2048 = rsa(2048);
    rsa4096 = rsa(4096);
    byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    ed25519 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  private static String rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  private Snapshot check(String zone, String... selectors) {
    fixture.zone(DOMAIN, CheckFixture.TWO_EXCHANGES + zone);
    return fixture.snapshotter().takeAsync(DOMAIN, List.of(selectors)).join();
  }

  private static List<Finding> dkimFindings(Snapshot s) {
    return new Auditor().audit(s).findings().stream().filter(f -> f.code().name().startsWith("DKIM_")).toList();
  }

  @Test
  void goodKeysOfEveryKindGiveTheirSizeAndNoFinding() {
    Snapshot s =
        check(
            TestDnsServer.txt("s2048._domainkey", "v=DKIM1; k=rsa; p=" + rsa2048)
                + TestDnsServer.txt("s4096._domainkey", "v=DKIM1; k=rsa; p=" + rsa4096)
                + TestDnsServer.txt("ed._domainkey", "v=DKIM1; k=ed25519; p=" + ed25519),
            "s2048", "s4096", "ed");
    assertThat(s.dkim()).extracting(DkimResult::selector).containsExactly("s2048", "s4096", "ed");
    assertThat(s.dkim()).extracting(d -> d.key().keyBits()).containsExactly(2048, 4096, 256);
    assertThat(s.dkim().get(2).key().keyType()).isEqualTo("ed25519");
    assertThat(s.dkim()).allSatisfy(d -> assertThat(d.key().keySha256()).hasSize(64));
    assertThat(dkimFindings(s)).isEmpty();
    assertThat(s.lookups()).filteredOn(l -> l.name().endsWith("._domainkey." + DOMAIN)).hasSize(3).allMatch(l -> l.type().equals("TXT"));
  }

  @Test
  void aSmallRsaKeyIsWeakAndUnder1024BitsCritical() {
    Snapshot s =
        check(TestDnsServer.txt("old._domainkey", "v=DKIM1; p=" + rsa1024) + TestDnsServer.txt("tiny._domainkey", "v=DKIM1; p=" + rsa512), "old", "tiny");
    assertThat(dkimFindings(s))
        .extracting(Finding::code, Finding::severity, Finding::subject)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_WEAK, Severity.WARNING, "old._domainkey." + DOMAIN),
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_WEAK, Severity.CRITICAL, "tiny._domainkey." + DOMAIN));
    assertThat(new Auditor().audit(s).status()).isEqualTo(Status.CRITICAL);
  }

  @Test
  void aMissingKeyIsCriticalAndAFailedLookupIsNot() {
    fixture.dns.fault("lost._domainkey." + DOMAIN, Type.TXT, TestDnsServer.Fault.servfail());
    Snapshot s = check("", "gone", "lost");
    List<Finding> dkim = dkimFindings(s);
    assertThat(dkim).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DKIM_KEY_MISSING);
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.subject()).isEqualTo("gone._domainkey." + DOMAIN);
      assertThat(f.message()).contains("nxdomain");
    });
    assertThat(s.dkim().get(1).missing()).as("a SERVFAIL is no absent key").isFalse();
    assertThat(new Auditor().audit(s).findings()).anySatisfy(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DNS_LOOKUP_FAILED);
      assertThat(f.subject()).isEqualTo("TXT lost._domainkey." + DOMAIN);
    });
  }

  @Test
  void revokedTestingAndUnusableKeys() {
    Snapshot s =
        check(
            TestDnsServer.txt("rotated._domainkey", "v=DKIM1; p=")
                + TestDnsServer.txt("trial._domainkey", "v=DKIM1; t=y; p=" + rsa2048)
                + TestDnsServer.txt("broken._domainkey", "v=DKIM1; p=not*base64")
                + TestDnsServer.txt("twice._domainkey", "v=DKIM1; p=" + rsa2048)
                + TestDnsServer.txt("twice._domainkey", "v=DKIM1; p=" + rsa4096)
                + TestDnsServer.txt("split._domainkey", "v=DKIM1; p=" + rsa4096.substring(0, 300) + " " + rsa4096.substring(300)),
            "rotated", "trial", "broken", "twice", "split");
    assertThat(dkimFindings(s))
        .extracting(Finding::code, Finding::subject)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_REVOKED, "rotated._domainkey." + DOMAIN),
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_TESTING, "trial._domainkey." + DOMAIN),
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_INVALID, "broken._domainkey." + DOMAIN),
            org.assertj.core.groups.Tuple.tuple(FindingCode.DKIM_KEY_INVALID, "twice._domainkey." + DOMAIN));
    assertThat(s.dkim().get(4).key().keyBits()).as("strings split inside the key are joined").isEqualTo(4096);
  }

  @Test
  void aHostileRecordStaysBoundedAndShowsAsText() {
    String script = "<script>alert(1)</script>";
    Snapshot s = check(TestDnsServer.txt("x._domainkey", "v=DKIM1; n=" + script + "; p=" + "A".repeat(20_000)), "x");
    assertThat(dkimFindings(s)).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(FindingCode.DKIM_KEY_INVALID);
      assertThat(f.message()).contains("longer than 8 KiB").doesNotContain(script);
    });
  }

  @Test
  void withoutSelectorsNothingIsLookedUp() {
    Snapshot s = check(TestDnsServer.txt("s1._domainkey", "v=DKIM1; p=" + rsa2048));
    assertThat(s.dkim()).isNull();
    assertThat(s.lookups()).noneMatch(l -> l.name().contains("_domainkey"));
  }
}
