package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Cli;
import io.mxwatch.testing.ScriptedRelay;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon from a DNS change to the alert email and back, with the operator commands around it. */
class AlertDaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE).withoutSmtp();
  private Daemon daemon;
  private String out;

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  /** Runs a command; {@link #out} is what it printed, on stdout then stderr. */
  private int mxwatch(String... args) {
    Cli run = Cli.run(args);
    out = run.out() + run.err();
    return run.status();
  }

  private static MimeMessage parse(ScriptedRelay.Received r) throws Exception {
    return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.data().getBytes(StandardCharsets.UTF_8)));
  }

  private static List<ScriptedRelay.Received> to(ScriptedRelay relay, String recipient) {
    return relay.received().stream().filter(r -> r.recipients().contains(recipient)).toList();
  }

  @Test
  void aRemovedMxPagesOnceTheAckResolvesItInTheSameThreadAndARefusedRouteShowsInStatus() throws Exception {
    try (ScriptedRelay relay = new ScriptedRelay()) {
      Path config = dir.resolve("mxwatch.yaml");
      Files.writeString(
          config,
          f.daemonConfig(dir.resolve("data"))
              + """
          http: {listen: "127.0.0.1:0"}
          domains: [%s]
          alerts:
            from: mxwatch@alerts.test
            to: [postmaster@example.net]
            routes:
              - {name: gone, domains: ["*"], to: [reject5-gone@example.net], continue: true}
              - {name: oncall, domains: ["%s"], to: [oncall@example.net]}
            relay: {host: 127.0.0.1, port: %d, tls: none}
            group_wait: 0s
            group_interval: 1s
          """
                  .formatted(DOMAIN, DOMAIN, relay.port()));
      daemon = Daemon.start(new ConfigLoader().load(config), config, new Wiring(Clock.systemUTC()), Clock.systemUTC());
      Await.until("a baseline", WAIT, () -> daemon.store().load(DOMAIN).state().baseline() != null);

      f.dns.replace(DOMAIN, ZONE.replace("@        MX 20 mx2\n", ""));
      Await.until("the alert email", WAIT, () -> to(relay, "oncall@example.net").size() == 1);
      MimeMessage firing = parse(to(relay, "oncall@example.net").getFirst());
      assertThat(firing.getSubject()).isEqualTo("[mxwatch] CRITICAL example.test: MX mx2.example.test removed");
      assertThat(firing.getHeader("X-Mxwatch-Domain")).containsExactly(DOMAIN);
      assertThat((String) ((jakarta.mail.Multipart) firing.getContent()).getBodyPart(0).getContent())
          .contains("mxwatch ack example.test --config " + config + " --reason");

      Await.until("the refused route in status", WAIT, () -> daemon.alertCounters().failed() == 1);
      assertThat(mxwatch("status", "--config", config.toString())).isZero();
      assertThat(out).contains("alerts: by email, outbox empty").containsPattern("UNDELIVERABLE #\\d+ \\S+ example.test \\[mxwatch\\] CRITICAL").contains("reject5-gone@example.net");

      assertThat(mxwatch("silence", "add", "*.test", "--for", "2h", "--reason", "dns migration", "--by", "alice", "--config", config.toString())).isZero();
      assertThat(out).matches("silence #\\d+ \\*\\.test until \\S+ by alice: dns migration\\s*");
      assertThat(mxwatch("silence", "list", "--config", config.toString())).isZero();
      assertThat(out).contains("*.test").contains("alice").contains("dns migration");
      assertThat(mxwatch("silence", "expire", "#999", "--config", config.toString())).isEqualTo(3);
      assertThat(out).contains("no silence #999 in force");

      assertThat(mxwatch("ack", DOMAIN, "--reason", "mx2 retired", "--by", "alice", "--config", config.toString())).isZero();
      String id = mxwatch("silence", "list", "--config", config.toString()) == 0 ? out.lines().skip(1).findFirst().orElseThrow().split(" ")[0] : null;
      assertThat(mxwatch("silence", "expire", id, "--config", config.toString())).isZero();
      Await.until("the resolved email", WAIT, () -> to(relay, "oncall@example.net").size() == 2);
      MimeMessage resolved = parse(to(relay, "oncall@example.net").get(1));
      assertThat(resolved.getSubject()).isEqualTo("[mxwatch] RESOLVED example.test: MX mx2.example.test removed");
      assertThat(resolved.getHeader("In-Reply-To")).containsExactly(firing.getMessageID());
      assertThat(relay.received()).as("the refused route got nothing; postmaster (no route) nothing").allSatisfy(r -> assertThat(r.recipients()).containsExactly("oncall@example.net"));

      assertThat(mxwatch("alert", "test", "--config", config.toString())).as("a recipient refused: exit 1").isEqualTo(1);
      assertThat(out).startsWith("127.0.0.1:" + relay.port() + " (none) accepted the test email for postmaster@example.net, reject5-gone@example.net, oncall@example.net: 250 2.0.0 Ok: queued as SCRIPTED");
      assertThat(out).contains("but refused reject5-gone@example.net");
    }
  }

  @Test
  void alertTestSaysWhenTheRelayCannotBeReachedOrAlertsAreOff() throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "alerts: {from: a@alerts.test, to: [b@example.net], relay: {host: 127.0.0.1, port: 1, tls: none, timeout: 2s}}\n");
    assertThat(mxwatch("alert", "test", "--config", config.toString())).isEqualTo(1);
    assertThat(out).startsWith("127.0.0.1:1 (none): not sent: connecting to the relay 127.0.0.1:1 failed");
    Files.writeString(config, "store: {data_dir: %s}\n".formatted(dir.resolve("data")));
    assertThat(mxwatch("alert", "test", "--config", config.toString())).isEqualTo(3);
    assertThat(out).contains("alerts are off");
  }
}
