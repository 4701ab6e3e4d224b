package io.mxwatch.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestCa;
import io.mxwatch.testing.TestSmtpServer;
import io.mxwatch.tls.CertificateFacts;
import io.mxwatch.tls.TlsResult;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The STARTTLS handshakes of a probe, against in-JVM TLS servers with certificates of a test CA. */
class StartTlsProbeTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final String MX = "mx1.example.test";

  private static SmtpProber prober(int port, Duration deadline) {
    return new SmtpProber(
        TestCa.trusting(SmtpSettings.defaults())
            .withPort(port)
            .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), deadline)
            .withDeny(io.mxwatch.net.AddressRanges.NONE));
  }

  private static SmtpProbe.Ok probe(TestSmtpServer.Behaviour behaviour) {
    return probe(behaviour, Duration.ofSeconds(5));
  }

  private static SmtpProbe.Ok probe(TestSmtpServer.Behaviour behaviour, Duration deadline) {
    try (TestSmtpServer server = TestSmtpServer.start(behaviour)) {
      SmtpProbe probe = prober(server.port(), deadline).probe(LOOPBACK, MX);
      assertThat(probe).isInstanceOf(SmtpProbe.Ok.class);
      return (SmtpProbe.Ok) probe;
    }
  }

  /** Certificates of the shared CA, one per key type, remembering the SNI names asked for. */
  private static BiFunction<String, TestCa.Key, TestCa.Leaf> certs(List<TestCa.Key> types, List<String> sniSeen) {
    Map<TestCa.Key, TestCa.Leaf> issued = new ConcurrentHashMap<>();
    return (name, key) -> {
      sniSeen.add(String.valueOf(name));
      return types.contains(key) ? issued.computeIfAbsent(key, k -> TestCa.shared().issue(k, List.of(MX))) : null;
    };
  }

  @Test
  void aServerWithRsaAndEcdsaCertificatesShowsBothAndTheSniName() {
    List<String> sni = new CopyOnWriteArrayList<>();
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTls(certs(List.of(TestCa.Key.RSA, TestCa.Key.EC), sni)));
    assertThat(ok.tls()).hasSize(2).allSatisfy(t -> assertThat(t).isInstanceOf(TlsResult.Established.class));
    var sender = (TlsResult.Established) ok.tls().get(0);
    var other = (TlsResult.Established) ok.tls().get(1);
    assertThat(sender.requested()).isEqualTo("any");
    assertThat(sender.protocol()).isEqualTo("TLSv1.3");
    assertThat(sender.trusted()).as(sender.trustProblem()).isTrue();
    assertThat(sender.chain()).hasSize(2);
    CertificateFacts leaf = sender.leaf();
    assertThat(leaf.dnsNames()).containsExactly(MX);
    assertThat(leaf.spkiSha256()).hasSize(64);
    assertThat(leaf.certSha512()).hasSize(128);
    assertThat(other.requested()).isEqualTo(leaf.rsa() ? "ecdsa" : "rsa");
    assertThat(other.leaf().keyType()).isNotEqualTo(leaf.keyType());
    assertThat(other.leaf().keyBits()).isEqualTo(other.leaf().rsa() ? 2048 : 256);
    assertThat(sni).contains(MX).doesNotContain("null");
  }

  @Test
  void aServerWithOneKeyTypeFailsOnlyTheRestrictedHandshake() {
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTls(certs(List.of(TestCa.Key.RSA), new ArrayList<>())));
    assertThat(ok.tls()).extracting(TlsResult::outcome).containsExactly("ok", "failed");
    assertThat(((TlsResult.Established) ok.tls().get(0)).leaf().keyType()).isEqualTo("RSA");
    assertThat(ok.tls().get(1).requested()).isEqualTo("ecdsa");
  }

  @Test
  void tls12IsRecordedWithItsSuite() {
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTls(certs(List.of(TestCa.Key.EC), new ArrayList<>()), "TLSv1.2"));
    var sender = (TlsResult.Established) ok.tls().get(0);
    assertThat(sender.protocol()).isEqualTo("TLSv1.2");
    assertThat(sender.cipher()).startsWith("TLS_ECDHE_ECDSA_");
  }

  @Test
  void anOldProtocolIsNamed() {
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTlsThen(TestSmtpServer.tls10ServerHello()));
    assertThat(ok.tls()).singleElement().isInstanceOfSatisfying(TlsResult.Failed.class, f -> {
      assertThat(f.stage()).isEqualTo("handshake");
      assertThat(f.oldProtocol()).isEqualTo("TLSv1");
    });
  }

  @Test
  void aSelfSignedChainIsEstablishedButNotTrusted() {
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTls((name, key) -> key == TestCa.Key.RSA ? TestCa.selfSigned(TestCa.Key.RSA, List.of(MX)) : null));
    var sender = (TlsResult.Established) ok.tls().get(0);
    assertThat(sender.trusted()).isFalse();
    assertThat(sender.trustProblem()).containsIgnoringCase("PKIX");
  }

  @Test
  void aStallingPeerAndGarbageEndWithinTheDeadline() {
    long start = System.nanoTime();
    SmtpProbe.Ok silent = probe(TestSmtpServer.startTlsThen(TestSmtpServer.tlsSilence()), Duration.ofMillis(1500));
    assertThat(silent.tls()).singleElement().isInstanceOfSatisfying(TlsResult.Failed.class, f -> assertThat(f.stage()).isEqualTo("timeout"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5)); // bounded by the probe's deadline, not the peer
    SmtpProbe.Ok garbage = probe(TestSmtpServer.startTlsThen(TestSmtpServer.tlsGarbage()));
    assertThat(garbage.tls()).singleElement().isInstanceOfSatisfying(TlsResult.Failed.class, f -> assertThat(f.stage()).isEqualTo("handshake"));
  }

  @Test
  void aChainOfFiftyCertificatesIsRefusedNotRead() {
    TestCa.Leaf leaf = TestCa.shared().issue(TestCa.Key.RSA, List.of(MX));
    java.security.cert.X509Certificate[] chain = new java.security.cert.X509Certificate[50];
    chain[0] = leaf.certificate();
    for (int i = 1; i < chain.length; i++) {
      chain[i] = TestCa.shared().root();
    }
    TestCa.Leaf fifty = new TestCa.Leaf(leaf.key(), chain);
    SmtpProbe.Ok ok = probe(TestSmtpServer.startTls((name, key) -> key == TestCa.Key.RSA ? fifty : null));
    assertThat(ok.tls()).first().isInstanceOfSatisfying(TlsResult.Failed.class, f -> assertThat(f.detail()).isNotBlank());
  }

  @Test
  void aReplacedCertificateIsSeenAtTheNextProbeNotResumedAway() {
    Instant now = Instant.now();
    TestCa.Leaf first = TestCa.shared().issue(TestCa.Key.RSA, List.of(MX), now.minusSeconds(60), now.plus(Duration.ofDays(30)));
    TestCa.Leaf second = TestCa.shared().issue(TestCa.Key.RSA, List.of(MX), now.minusSeconds(60), now.plus(Duration.ofDays(60)));
    TestCa.Leaf[] serving = {first};
    try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.startTls((name, key) -> key == TestCa.Key.RSA ? serving[0] : null))) {
      SmtpProber prober = prober(server.port(), Duration.ofSeconds(5));
      var before = (TlsResult.Established) ((SmtpProbe.Ok) prober.probe(LOOPBACK, MX)).tls().get(0);
      serving[0] = second;
      var after = (TlsResult.Established) ((SmtpProbe.Ok) prober.probe(LOOPBACK, MX)).tls().get(0);
      assertThat(after.leaf().certSha256()).isNotEqualTo(before.leaf().certSha256());
      assertThat(after.leaf().notAfter()).isAfter(before.leaf().notAfter());
    }
  }

  @Test
  void handshakesCanBeTurnedOff() {
    try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.wellBehaved())) {
      SmtpSettings settings = SmtpSettings.defaults().withPort(server.port()).withDeny(io.mxwatch.net.AddressRanges.NONE)
          .withTls(new SmtpSettings.Tls(false, true, null));
      var ok = (SmtpProbe.Ok) new SmtpProber(settings).probe(LOOPBACK, MX);
      assertThat(ok.startTls()).isTrue();
      assertThat(ok.tls()).isEmpty();
      assertThat(server.commands()).containsExactly("EHLO mxwatch.invalid", "QUIT");
    }
  }
}
