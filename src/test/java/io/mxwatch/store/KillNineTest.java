package io.mxwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM recording checks is killed with SIGKILL mid-stream; the history must hold. */
class KillNineTest {
  @TempDir Path dir;

  @Test
  void historySurvivesKillNineAtAnyMoment() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(java.toString(), "-Dh2.bindAddress=127.0.0.1", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long printed = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (String line = out.readLine(); line != null && System.nanoTime() < deadline; line = out.readLine()) {
        if (line.startsWith("recorded ")) {
          printed = Long.parseLong(line.substring(9));
          if (printed >= 40) {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(printed).as("the child recorded checks before it was killed").isGreaterThanOrEqualTo(40);

    try (Database db = Database.open(Database.h2Url(dir), "sa", "")) {
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
        assertThat(count(st, "SELECT COUNT(*) FROM drift_state d WHERE NOT EXISTS (SELECT 1 FROM snapshot s WHERE s.id = d.last_snapshot_id)"))
            .as("the drift state points at a stored snapshot").isZero();
        assertThat(count(st, "SELECT COUNT(*) FROM change_event e WHERE NOT EXISTS (SELECT 1 FROM snapshot s WHERE s.id = e.snapshot_id)"))
            .as("every event's snapshot is stored").isZero();
        long recorded = count(st, "SELECT SUM(seen_count) FROM snapshot");
        assertThat(recorded).as("each printed check is committed, and at most one more").isBetween(printed, printed + 1);
      }
      HistoryStore store = new HistoryStore(db.dataSource());
      HistoryStore.Loaded loaded = store.load(HistoryStoreTest.DOMAIN);
      assertThat(loaded.version()).isGreaterThanOrEqualTo(printed);
      assertThat(loaded.state().confirmed()).isNotNull();
      assertThat(store.events(HistoryStoreTest.DOMAIN, Instant.EPOCH)).isNotEmpty();
    }
  }

  private static long count(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
