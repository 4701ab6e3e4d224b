package io.mxwatch.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestSmtpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpProberTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static SmtpProber prober(int port) {
    return new SmtpProber(
        io.mxwatch.testing.TestCa.trusting(SmtpSettings.defaults())
            .withPort(port)
            .withHeloName("probe.mxwatch.test")
            .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(800), Duration.ofSeconds(3))
            .withDeny(io.mxwatch.net.AddressRanges.NONE)); // the test servers are on loopback
  }

  private static SmtpProbe probe(TestSmtpServer.Behaviour behaviour) {
    try (TestSmtpServer server = TestSmtpServer.start(behaviour)) {
      return prober(server.port()).probe(LOOPBACK);
    }
  }

  @Test
  void wellBehavedServerGivesGreetingAndExtensions() {
    try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.wellBehaved())) {
      SmtpProbe probe = prober(server.port()).probe(LOOPBACK);
      assertThat(probe).isInstanceOf(SmtpProbe.Ok.class);
      var ok = (SmtpProbe.Ok) probe;
      assertThat(ok.greeting()).containsExactly("mx.example.test ESMTP ready", "second greeting line");
      assertThat(ok.ehloCode()).isEqualTo(250);
      assertThat(ok.extensions()).containsExactly("PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME");
      assertThat(ok.startTls()).isTrue();
      assertThat(ok.address()).isEqualTo("127.0.0.1");
      assertThat(ok.port()).isEqualTo(server.port());
      assertThat(ok.outcome()).isEqualTo("ok");
      // STARTTLS and QUIT over TLS; then a second connection for the other key type's certificate
      assertThat(server.commands())
          .containsExactly("EHLO probe.mxwatch.test", "STARTTLS", "QUIT", "EHLO probe.mxwatch.test", "STARTTLS", "QUIT");
      assertThat(ok.tls()).extracting(io.mxwatch.tls.TlsResult::outcome).containsExactly("ok", "ok");
      assertThat(server.connections()).isEqualTo(2);
    }
  }

  @Test
  void serverWithoutStartTlsIsStillOk() {
    var ok = (SmtpProbe.Ok) probe(TestSmtpServer.withoutStartTls());
    assertThat(ok.startTls()).isFalse();
    assertThat(ok.extensions()).containsExactly("SIZE 1000");
  }

  @Test
  void greeting554IsRejected() {
    SmtpProbe probe = probe(TestSmtpServer.rejecting());
    assertThat(probe).isInstanceOf(SmtpProbe.Rejected.class);
    assertThat(((SmtpProbe.Rejected) probe).code()).isEqualTo(554);
    assertThat(((SmtpProbe.Rejected) probe).greeting()).containsExactly("5.3.2 No SMTP service here");
    assertThat(probe.unreachable()).isFalse();
    assertThat(probe.accepting()).isFalse();
  }

  @Test
  void closedPortIsRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      port = s.getLocalPort();
    }
    SmtpProbe probe = prober(port).probe(LOOPBACK);
    assertThat(probe).isInstanceOf(SmtpProbe.Refused.class);
    assertThat(probe.unreachable()).isTrue();
  }

  @Test
  void silentServerTimesOutInTheGreeting() {
    SmtpProbe probe = probe(TestSmtpServer.silent());
    assertThat(probe).isInstanceOf(SmtpProbe.TimedOut.class);
    assertThat(((SmtpProbe.TimedOut) probe).phase()).isEqualTo(SmtpProbe.Phase.GREETING);
    assertThat(probe.unreachable()).isTrue();
  }

  @Test
  void slowGreetingWithinTheReadTimeoutIsOk() {
    assertThat(probe(TestSmtpServer.slowGreeting(Duration.ofMillis(200)))).isInstanceOf(SmtpProbe.Ok.class);
  }

  @Test
  void greetingSlowerThanTheReadTimeoutTimesOut() {
    assertThat(probe(TestSmtpServer.slowGreeting(Duration.ofSeconds(2)))).isInstanceOf(SmtpProbe.TimedOut.class);
  }

  @Test
  void endlessLineIsCutAtTheLineCap() {
    SmtpProbe probe = probe(TestSmtpServer.endlessLine());
    assertThat(probe).isInstanceOf(SmtpProbe.BadGreeting.class);
    var bad = (SmtpProbe.BadGreeting) probe;
    assertThat(bad.reason()).contains("longer than " + ReplyReader.MAX_LINE_BYTES);
    assertThat(bad.greeting()).allMatch(line -> line.length() <= ReplyReader.MAX_KEPT_CHARS + 3);
  }

  @Test
  void endlessMultiLineReplyIsCutAtTheLineCount() {
    SmtpProbe probe = probe(TestSmtpServer.endlessReply());
    assertThat(probe).isInstanceOf(SmtpProbe.BadGreeting.class);
    assertThat(((SmtpProbe.BadGreeting) probe).reason()).contains("lines");
    assertThat(((SmtpProbe.BadGreeting) probe).greeting()).hasSizeLessThanOrEqualTo(ReplyReader.MAX_LINES);
  }

  @Test
  void binaryGarbageIsABadGreetingAndEscaped() {
    SmtpProbe probe = probe(TestSmtpServer.garbage());
    assertThat(probe).isInstanceOf(SmtpProbe.BadGreeting.class);
    var bad = (SmtpProbe.BadGreeting) probe;
    assertThat(bad.greeting()).allMatch(line -> line.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
    assertThat(bad.reason()).doesNotContain("\r").doesNotContain("\n");
  }

  @Test
  void resetConnectionIsReset() {
    SmtpProbe probe = probe(TestSmtpServer.reset());
    assertThat(probe).isInstanceOf(SmtpProbe.Reset.class);
    // usually while waiting for the greeting; now and then the reset beats the end of connect()
    assertThat(((SmtpProbe.Reset) probe).phase()).isIn(SmtpProbe.Phase.GREETING, SmtpProbe.Phase.CONNECT);
    assertThat(probe.unreachable()).isTrue();
  }

  @Test
  void resetAfterGreetingKeepsTheGreeting() {
    SmtpProbe probe = probe(TestSmtpServer.resetAfterGreeting());
    assertThat(probe).isInstanceOf(SmtpProbe.Reset.class);
    var reset = (SmtpProbe.Reset) probe;
    assertThat(reset.phase()).isEqualTo(SmtpProbe.Phase.EHLO);
    assertThat(reset.greeting()).containsExactly("flaky.example.test ESMTP");
  }

  @Test
  void silenceAfterGreetingTimesOutInEhlo() {
    var timedOut = (SmtpProbe.TimedOut) probe(TestSmtpServer.silentAfterGreeting());
    assertThat(timedOut.phase()).isEqualTo(SmtpProbe.Phase.EHLO);
    assertThat(timedOut.greeting()).containsExactly("mute.example.test ESMTP");
  }

  @Test
  void tricklingServerIsStoppedByTheOverallDeadline() {
    SmtpProber prober;
    try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.trickle(Duration.ofMillis(50)))) {
      prober =
          new SmtpProber(
              SmtpSettings.defaults()
                  .withPort(server.port())
                  .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMillis(600))
                  .withDeny(io.mxwatch.net.AddressRanges.NONE));
      SmtpProbe probe = prober.probe(LOOPBACK);
      // each byte arrives well within the read timeout: only the overall deadline can end this
      assertThat(probe).isInstanceOf(SmtpProbe.TimedOut.class);
    }
  }

  @Test
  void aProbeWaitsForAFreeConnectionNoLongerThanItsDeadline() {
    try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.wellBehaved())) {
      SmtpSettings settings =
          SmtpSettings.defaults()
              .withPort(server.port())
              .withMaxConcurrent(3)
              .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(300))
              .withDeny(io.mxwatch.net.AddressRanges.NONE);
      // every connection held elsewhere (tarpits of another domain) for longer than the deadline
      SmtpProber prober = new SmtpProber(settings, new java.util.concurrent.Semaphore(0));

      SmtpProbe probe = prober.probe(LOOPBACK);

      assertThat(probe).isInstanceOfSatisfying(SmtpProbe.Failed.class, f -> assertThat(f.detail()).isEqualTo("not probed: all 3 SMTP connections stayed busy for 300ms"));
      assertThat(server.connections()).isZero();
    }
  }

  @Test
  void hostileBannerIsEscaped() {
    SmtpProbe probe =
        probe(
            TestSmtpServer.conversation(
                "220 evil\u001b[31m <script>alert(1)</script> \u00ff\\\r\n", "250 ok\r\n"));
    var ok = (SmtpProbe.Ok) probe;
    assertThat(ok.greeting())
        .containsExactly("evil\\x1b[31m <script>alert(1)</script> \\xff\\\\");
  }

  @Test
  void ipv6LoopbackIsProbed() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    try (TestSmtpServer server = TestSmtpServer.start(v6, 0, TestSmtpServer.wellBehaved())) {
      SmtpProbe probe = prober(server.port()).probe(v6);
      assertThat(probe).isInstanceOf(SmtpProbe.Ok.class);
      assertThat(probe.address()).isEqualTo("::1");
    }
  }

  @Test
  void rejectedEhloStillCountsAsAcceptingWithoutExtensions() {
    var ok = (SmtpProbe.Ok) probe(TestSmtpServer.conversation("220 old.example.test\r\n", "502 no EHLO\r\n"));
    assertThat(ok.ehloCode()).isEqualTo(502);
    assertThat(ok.extensions()).isEmpty();
    assertThat(ok.startTls()).isFalse();
  }
}
