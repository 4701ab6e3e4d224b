package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit statuses and messages. */
class MainTest {
  @TempDir Path dir;

  @Test
  void configCheckAcceptsTheShippedExample() {
    Cli run = Cli.run("config", "check", "--config", "config/mxwatch.yaml");
    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("config/mxwatch.yaml: OK, 2 domains");
  }

  @Test
  void configCheckRejectsAnInvalidFileWithExitThreeAndEveryProblem() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "defaults:\n  interval: often\ndomains:\n  - exa mple.org\n");
    Cli run = Cli.run("config", "check", "--config", config.toString());
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err())
        .contains("bad.yaml:2: defaults.interval: 'often' is not a duration")
        .contains("bad.yaml:4: domains[0]: 'exa mple.org' is not a domain name");
  }

  @Test
  void runRefusesAnInvalidConfigBeforeStartingAnything() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "store:\n  data_dir: " + dir.resolve("data") + "\nnonsense: 1\n");
    Cli run = Cli.run("run", "--config", config.toString());
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err()).contains("bad.yaml:3: unknown key 'nonsense'");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
