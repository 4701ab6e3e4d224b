package io.mxwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 file under a steady rate of updates: every commit leaves the pages it replaced behind, and
 * {@link Database#compact} gives that space back once less than 60 % of the file is live.
 */
class CompactionTest {
  @TempDir Path dir;

  /** info.FILE_SIZE, info.FILL_RATE and info.CHUNKS_FILL_RATE of the open file. */
  private static Map<String, Long> figures(Database db) throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME IN ('info.FILE_SIZE', 'info.FILL_RATE', 'info.CHUNKS_FILL_RATE')")) {
      while (rs.next()) {
        out.put(rs.getString(1), Long.parseLong(rs.getString(2).strip()));
      }
    }
    return out;
  }

  private static long live(Map<String, Long> f) {
    return f.get("info.FILE_SIZE") * f.get("info.FILL_RATE") * f.get("info.CHUNKS_FILL_RATE") / 10_000;
  }

  @Test
  void aFileWrittenOverGivesItsDeadSpaceBack() throws Exception {
    try (Database db = Database.open(Database.h2Url(dir), "", "")) {
      try (Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE churn (id INT PRIMARY KEY, payload VARCHAR(400))");
        st.execute("INSERT INTO churn SELECT x, REPEAT('a', 300) FROM SYSTEM_RANGE(1, 5000)");
        // one commit per row, as checks arrive: each rewrites a page and leaves the old one dead
        try (PreparedStatement up = c.prepareStatement("UPDATE churn SET payload = ? WHERE id = ?")) {
          for (int round = 0; round < 4; round++) {
            for (int id = 1; id <= 5000; id++) {
              up.setString(1, String.valueOf((char) ('b' + round)).repeat(300));
              up.setInt(2, id);
              up.executeUpdate();
            }
          }
        }
      }
      Map<String, Long> before = figures(db);
      assertThat(before.get("info.FILE_SIZE")).as("the churn left dead pages behind").isGreaterThan(2 * live(before));

      db.compact(Duration.ofSeconds(5));
      Map<String, Long> after = figures(db);
      // H2 cannot rewrite its newest chunks, so on a file this small the live share it reaches
      // varies; the daemon's file, a hundred times larger, stays within twice its live data
      // (bench/daemon-scale.sh). Here: most of the dead space is given back at once.
      assertThat(after.get("info.FILE_SIZE")).as("compacted: %s, before %s", after, before).isLessThan(before.get("info.FILE_SIZE") / 20);
      assertThat(after.get("info.FILE_SIZE")).isLessThan(4 * live(after));
      try (Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), MIN(payload) FROM churn")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(5000);
        assertThat(rs.getString(2)).isEqualTo("e".repeat(300));
      }
    }
    assertThat(Files.size(dir.resolve("mxwatch.mv.db"))).isPositive();
  }
}
