package io.mxwatch.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.Finding;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestSmtpServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One hostile domain checked at the same time as a hundred ordinary ones, through one resolver
 * client and one SMTP prober, as the daemon does: its 60 KB SPF record of {@code a:} terms and its
 * exchange on 1,000 addresses, the first 40 of them tarpits, cost its own check, and the others'
 * checks come out as they do alone.
 */
class HostileDomainTest {
  private static final int NORMAL = 100;

  @Test
  void aHostileDomainSlowsItsOwnCheckNotTheHundredCheckedBesideIt() {
    TestSmtpServer.Behaviour tarpit = (socket, commands) -> socket.getInputStream().read(); // silent until the prober gives up
    // without TLS handshakes: 200 of them against TLS servers in this JVM cost both ends' CPU here,
    // more than the fixture's 2 s probe deadline allows on two cores (a handshake's own bounds are
    // StartTlsProbeTest's)
    try (CheckFixture f = new CheckFixture().withoutIpv6().withoutTls().dnsTimeout(java.time.Duration.ofSeconds(2), 1)) {
      f.smtp("127.0.0.2", TestSmtpServer.wellBehaved()).smtp("127.0.0.3", TestSmtpServer.wellBehaved());
      for (int i = 0; i < NORMAL; i++) {
        f.zone("n" + i + ".test", CheckFixture.TWO_EXCHANGES);
      }
      StringBuilder zone = new StringBuilder("@ MX 10 pit\n_dmarc TXT \"v=DMARC1; p=reject\"\n");
      for (int j = 0; j < 1000; j++) {
        zone.append("pit A 127.0.").append(20 + j / 250).append('.').append(j % 250 + 1).append('\n');
      }
      StringBuilder spf = new StringBuilder("v=spf1");
      int terms = 0;
      for (; spf.length() < 60_000; terms++) {
        spf.append(" a:x").append(terms).append(".evil.test");
      }
      zone.append(TestDnsServer.txt("@", spf.append(" -all").toString()));
      f.zone("hostile.test", zone.toString());
      for (int j = 0; j < 40; j++) {
        f.smtp("127.0." + (20 + j / 250) + "." + (j % 250 + 1), tarpit);
      }
      Snapshotter snapshotter = f.snapshotter();
      List<String> alone = codes(snapshotter.take("n0.test"));

      CompletableFuture<Snapshot> hostile = snapshotter.takeAsync("hostile.test");
      List<CompletableFuture<Snapshot>> normal = IntStream.range(0, NORMAL).mapToObj(i -> snapshotter.takeAsync("n" + i + ".test")).toList();

      for (CompletableFuture<Snapshot> check : normal) {
        Snapshot s = check.join();
        assertThat(s.lookups()).as(s.domain() + ": no lookup failed or waited past the deadline").allMatch(l -> !l.outcome().isFailure());
        assertThat(s.smtp()).as(s.domain() + ": both exchanges answered: " + s.smtp()).hasSize(2).allMatch(SmtpProbe::accepting);
        assertThat(codes(s)).as(s.domain() + ": findings as when checked alone").isEqualTo(alone);
      }
      Snapshot h = hostile.join();
      assertThat(h.spf().dnsLookups()).as("every term counted").isEqualTo(terms);
      long queried = f.dns.queries().stream().filter(q -> q.name().toString().endsWith(".evil.test.")).count();
      assertThat(queried).as("A and AAAA of ten terms at most").isLessThanOrEqualTo(20);
      assertThat(h.mx().hosts().getFirst().addresses()).hasSize(1000);
      assertThat(h.smtp()).hasSize(Snapshotter.MAX_PROBES);
    }
  }

  private static List<String> codes(Snapshot s) {
    return new Auditor().audit(s).findings().stream().map(Finding::code).map(Enum::name).sorted().toList();
  }
}
