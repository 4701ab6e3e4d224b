package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit statuses and messages. */
class MainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
  }

  @Test
  void configCheckAcceptsTheShippedExample() {
    assertThat(run("config", "check", "--config", "config/mxwatch.yaml")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("config/mxwatch.yaml: OK, 2 domains");
  }

  @Test
  void configCheckRejectsAnInvalidFileWithExitThreeAndEveryProblem() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "defaults:\n  interval: often\ndomains:\n  - exa mple.org\n");
    assertThat(run("config", "check", "--config", config.toString())).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("bad.yaml:2: defaults.interval: 'often' is not a duration")
        .contains("bad.yaml:4: domains[0]: 'exa mple.org' is not a domain name");
  }

  @Test
  void runRefusesAnInvalidConfigBeforeStartingAnything() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "store:\n  data_dir: " + dir.resolve("data") + "\nnonsense: 1\n");
    assertThat(run("run", "--config", config.toString())).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.yaml:3: unknown key 'nonsense'");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
