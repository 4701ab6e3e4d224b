package io.mxwatch.store;

import io.mxwatch.config.MxwatchConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link LocalStoreTest}: opens the default store in the directory it is
 * given, as a running daemon holds it, prints "open", and keeps it until its standard input ends.
 */
public final class HolderChild {
  public static void main(String[] args) throws Exception {
    var store = new MxwatchConfig.Store(Path.of(args[0]), null, "", null, Duration.ofDays(90), Duration.ofDays(730));
    try (Database db = Stores.open(store)) {
      System.out.println(db.dataSource().getConnection().isValid(5) ? "open" : "not valid");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
    }
  }
}
