package io.mxwatch.store;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LocalStoreTest}: opens the default store in the directory it is
 * given, as a running daemon holds it, prints "open", and keeps it until its standard input ends.
 */
public final class HolderChild {
  public static void main(String[] args) throws Exception {
    try (Database db = Stores.open(LocalStoreTest.store(Path.of(args[0])))) {
      System.out.println(LocalStoreTest.valid(db) ? "open" : "not valid");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
    }
  }
}
