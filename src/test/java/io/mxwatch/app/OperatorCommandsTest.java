package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status, history, diff and ack against a store the daemon filled, while it runs. */
class OperatorCommandsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE);
  private Daemon daemon;
  private String out;
  private String err;

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  private int mxwatch(String... args) {
    Cli run = Cli.run(args);
    out = run.out();
    err = run.err();
    return run.status();
  }

  @Test
  void anOperatorSeesTheDriftDiffsItApprovesItAndTheHistoryKeepsTheApproval() throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(
        config,
        f.daemonConfig(dir.resolve("data"))
            + """
            http: {listen: "127.0.0.1:0"}
            domains: [%s, {name: later.test, cron: "0 0 0 1 1 ? 2099"}]
            """
                .formatted(DOMAIN));
    daemon = Daemon.start(new ConfigLoader().load(config), null, new Wiring(Clock.systemUTC()), Clock.systemUTC());
    HistoryStore store = daemon.store();
    Await.until("a baseline", WAIT, () -> store.load(DOMAIN).state().baseline() != null);
    f.dns.replace(DOMAIN, ZONE.replace("@        MX 20 mx2\n", ""));
    Await.until("MX_REMOVED", WAIT, () -> store.events(DOMAIN, Instant.EPOCH).stream().anyMatch(e -> e.code().equals("MX_REMOVED")));

    assertThat(mxwatch("status", "--config", config.toString())).isZero();
    assertThat(out).contains("DOMAIN").containsPattern(DOMAIN + " +ok +\\S+ +1: MX_REMOVED mx2\\.example\\.test").containsPattern("later\\.test +- +never +-");

    assertThat(mxwatch("history", DOMAIN, "--config", config.toString())).isZero();
    assertThat(out).contains("snapshot ").contains("MX_REMOVED mx2.example.test: 20 mx2.example.test → absent");

    assertThat(mxwatch("diff", DOMAIN, "--config", config.toString())).as("differences: exit 1").isEqualTo(1);
    assertThat(out).startsWith(DOMAIN + ": baseline → latest check").contains("MX_REMOVED mx2.example.test: 20 mx2.example.test → absent");

    assertThat(mxwatch("ack", DOMAIN, "--reason", "mx2 retired", "--by", "alice", "--config", config.toString())).isZero();
    assertThat(out).startsWith(DOMAIN + ": approved by alice as the new baseline:").contains("MX_REMOVED");

    assertThat(mxwatch("diff", DOMAIN, "--config", config.toString())).isZero();
    assertThat(out).contains("no difference between baseline and latest check");
    assertThat(mxwatch("history", DOMAIN, "--since", "1h", "--config", config.toString())).isZero();
    assertThat(out).contains("approval by alice: mx2 retired");
    assertThat(mxwatch("ack", DOMAIN, "--reason", "again", "--config", config.toString())).isZero();
    assertThat(out).startsWith(DOMAIN + ": nothing to approve");
  }

  @Test
  void unknownDomainsAndBadTimesAreClearUsageErrors() throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "store: {data_dir: %s}\n".formatted(dir.resolve("data")));
    assertThat(mxwatch("ack", "nothing.test", "--reason", "x", "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("mxwatch ack: nothing.test has never been checked");
    assertThat(mxwatch("diff", "nothing.test", "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("mxwatch diff: nothing.test has never been checked");
    assertThat(mxwatch("history", "nothing.test", "--since", "last tuesday", "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("mxwatch history: --since: 'last tuesday' is not a time");
    assertThat(mxwatch("history", "nothing..test", "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("'nothing..test' is not a domain name");
    assertThat(mxwatch("ack", DOMAIN, "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("Missing required option: '--reason=TEXT'");
  }

  @Test
  void statusReadsTheDomainsFileWhenItNeedsItAndNamesItsBadLines() throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(dir.resolve("domains.txt"), "listed.test\nbad..test\n");
    Files.writeString(config, "store: {data_dir: %s}\ndomains_file: domains.txt\n".formatted(dir.resolve("data")));
    // nothing stored is in trouble: the filtered view needs no domain list
    assertThat(mxwatch("status", "--status", "critical", "--config", config.toString())).isZero();
    assertThat(out).contains("(no domain matches)");
    // the full list has the never-checked domains of the file: its bad line is a usage error
    assertThat(mxwatch("status", "--config", config.toString())).isEqualTo(3);
    assertThat(err).contains("domains.txt:2: 'bad..test' is not a domain name");
    Files.writeString(dir.resolve("domains.txt"), "listed.test\n");
    assertThat(mxwatch("status", "--config", config.toString())).isZero();
    assertThat(out).containsPattern("listed\\.test +- +never");
  }
}
