package io.mxwatch.store;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import java.io.IOException;
import java.nio.file.Files;

/** Opens the configured store: the H2 file in the data directory, or the configured JDBC URL. */
public final class Stores {
  private Stores() {}

  public static Database open(MxwatchConfig.Store store) throws ConfigException {
    String url = store.url();
    if (url == null) {
      try {
        Files.createDirectories(store.dataDir());
      } catch (IOException e) {
        throw new ConfigException("cannot create the data directory " + store.dataDir() + ": " + e.getMessage(), e);
      }
      url = Database.h2Url(store.dataDir());
    }
    try {
      return Database.open(url, store.user(), store.password() == null ? "" : store.password().value());
    } catch (StoreException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  /** The store for log lines, without credentials. */
  public static String describe(MxwatchConfig.Store store) {
    return store.url() == null ? "H2 file in " + store.dataDir().toAbsolutePath() : Database.withoutSecrets(store.url());
  }
}
