package io.mxwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.testing.Await;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {
  @TempDir Path dir;

  /** A daemon that records what the command asks of it. */
  private static final class FakeDaemon implements Daemon {
    final BlockingQueue<MxwatchConfig> reloads = new LinkedBlockingQueue<>();
    final BlockingQueue<Boolean> closed = new LinkedBlockingQueue<>();

    @Override
    public void reload(MxwatchConfig config) {
      reloads.add(config);
    }

    @Override
    public void close() {
      closed.add(true);
    }
  }

  private static List<String> domains(MxwatchConfig c) {
    return c.watch().domains().stream().map(MxwatchConfig.Domain::name).toList();
  }

  @Test
  void reloadAppliesAValidConfigRejectsAnInvalidOneAndStopClosesTheDaemon() throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "domains: [a.example]\n");
    FakeDaemon daemon = new FakeDaemon();
    BlockingQueue<MxwatchConfig> started = new LinkedBlockingQueue<>();
    RunCommand run =
        new RunCommand(
            (c, file, reload) -> {
              started.add(c);
              return daemon;
            },
            new ConfigLoader(),
            false);
    CommandLine cl = new CommandLine(run);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> status = thread.submit(() -> cl.execute("--config", config.toString()));
      assertThat(domains(started.poll(30, TimeUnit.SECONDS))).containsExactly("a.example");

      Files.writeString(config, "domains: [a.example]\nbogus: true\n");
      run.reload();
      Await.until("the invalid config handled", Duration.ofSeconds(30), () -> run.reloadsHandled() == 1);
      Files.writeString(config, "domains: [b.example, c.example]\n");
      run.reload();
      MxwatchConfig reloaded = daemon.reloads.poll(30, TimeUnit.SECONDS);
      assertThat(domains(reloaded)).as("the invalid file was skipped, the valid one applied").containsExactly("b.example", "c.example");
      assertThat(daemon.reloads).isEmpty();

      run.stop();
      assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
      assertThat(daemon.closed).containsExactly(true);
    } finally {
      thread.shutdownNow();
    }
  }
}
