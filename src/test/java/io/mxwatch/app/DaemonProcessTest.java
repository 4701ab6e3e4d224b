package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Http;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mxwatch run} as its own process, driven by real signals: SIGKILL mid-run and a restart
 * that resumes the schedule on the same store, SIGHUP with a changed config, SIGTERM.
 */
class DaemonProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(CheckFixture.DOMAIN, ZONE).zone("other.test", ZONE);
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void close() {
    for (Process p : started) {
      p.destroyForcibly();
    }
    f.close();
  }

  /** Starts {@code mxwatch run} with the shipped logging configuration (not the tests' one). */
  private Process start(Path config, Path log, String... environment) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path logback = Path.of(Main.class.getResource("/logback.xml").toURI());
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Dh2.bindAddress=127.0.0.1",
                "-Dlogback.configurationFile=" + logback,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove("MXWATCH_LOG_LEVEL");
    for (int i = 0; i < environment.length; i += 2) {
      builder.environment().put(environment[i], environment[i + 1]);
    }
    Process p = builder.start();
    started.add(p);
    return p;
  }

  private static Http http(String log) {
    Matcher listening = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(log);
    return listening.find() ? new Http(Integer.parseInt(listening.group(1))) : null;
  }

  private static double checksCounted(Http http) {
    return Http.samples(http.get("/metrics").body()).entrySet().stream()
        .filter(e -> e.getKey().startsWith("mxwatch_checks_total{"))
        .mapToDouble(java.util.Map.Entry::getValue)
        .sum();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor()).isZero();
  }

  private static long checks(String log, String domain) {
    return log.lines().filter(l -> l.contains("io.mxwatch.check - " + domain + " ")).count();
  }

  @Test
  void killedRestartedReloadedAndStoppedBySignals() throws Exception {
    Path data = dir.resolve("data");
    Path config = dir.resolve("mxwatch.yaml");
    String common = f.daemonConfig(data) + "http: {listen: \"127.0.0.1:0\", token_file: token}\n";
    Files.writeString(dir.resolve("token"), "process-test-token-1234\n");
    Files.writeString(config, common + "domains: [example.test]\n");

    Path log1 = dir.resolve("run1.log");
    Process first = start(config, log1);
    Await.until("three checks logged", WAIT, () -> checks(read(log1), "example.test") >= 3);
    first.destroyForcibly(); // SIGKILL, whatever it was doing
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    Path log2 = dir.resolve("run2.log");
    Process second = start(config, log2);
    Await.until("checks resume after the restart", WAIT, () -> checks(read(log2), "example.test") >= 2);
    assertThat(read(log2)).as("the schedule's job is still in the store").contains("jobs 0 added, 0 removed, 1 kept)");

    Files.writeString(config, common + "domains: [other.test]\n");
    signal(second, "HUP");
    Await.until("the added domain checked", WAIT, () -> checks(read(log2), "other.test") >= 1);
    assertThat(read(log2)).contains("(1 added, 1 removed, 0 rescheduled, 0 unchanged;");

    // the same reload asked over HTTP, with the token: applied, or rejected with the reason
    Http http = http(read(log2));
    assertThat(http).as("the listen address logged").isNotNull();
    String bearer = "Bearer process-test-token-1234";
    Files.writeString(config, common + "domains: [example.test, other.test]\n");
    HttpResponse<String> reloaded = http.post("/-/reload", "", "Authorization", bearer);
    assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
    Await.until("both domains watched", WAIT, () -> http.samples().getOrDefault("mxwatch_domains_watched", 0.0) == 2.0);
    assertThat(http.get("/probe?target=example.test").body()).contains("mxwatch_domain_status{domain=\"example.test\"}");
    Files.writeString(config, common + "domains: [example.test, other.test]\nnonsense: 1\n");
    HttpResponse<String> rejected = http.post("/-/reload", "", "Authorization", bearer);
    assertThat(rejected.statusCode()).isEqualTo(500);
    assertThat(rejected.body()).contains("not reloaded").contains("unknown key 'nonsense'");
    assertThat(http.samples()).containsEntry("mxwatch_config_last_reload_successful", 0.0);

    signal(second, "TERM");
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    assertThat(read(log2)).contains("stopped");
    assertThat(read(log2).lines().filter(l -> l.contains("ERROR"))).as("errors other than the rejected reload").allMatch(l -> l.contains("configuration not reloaded"));

    String password = Files.readString(data.resolve("store-password")).strip();
    try (Database db = Database.open(Database.h2Url(data), "", password)) {
      HistoryStore store = new HistoryStore(db.dataSource());
      assertThat(store.load("example.test").state().baseline()).as("learned before the kill, kept").isNotNull();
      assertThat(store.snapshots("example.test", java.time.Instant.EPOCH)).hasSize(1);
      assertThat(store.events("example.test", java.time.Instant.EPOCH)).isEmpty();
      assertThat(store.load("other.test").version()).isPositive();
    }
  }

  @Test
  void checkLinesOffAtWarnWhileTheDaemonLogsItsState() throws Exception {
    Path config = dir.resolve("quiet.yaml");
    Files.writeString(config, f.daemonConfig(dir.resolve("quiet-data")) + "http: {listen: \"127.0.0.1:0\"}\ndomains: [example.test]\n");
    Path log = dir.resolve("quiet.log");
    Process p = start(config, log, "MXWATCH_CHECK_LOG_LEVEL", "WARN");
    Await.until("listening", WAIT, () -> http(read(log)) != null);
    Http http = http(read(log));
    Await.until("three checks counted", WAIT, () -> checksCounted(http) >= 3);
    signal(p, "TERM");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(checks(read(log), "example.test")).as("no line per check").isZero();
    assertThat(read(log)).as("the daemon's own lines stay").contains("schedule: 1 domains").contains("stopped");
  }
}
