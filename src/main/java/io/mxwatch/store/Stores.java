package io.mxwatch.store;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;

/** Opens the configured store: the H2 file in the data directory, or the configured JDBC URL. */
public final class Stores {
  private Stores() {}

  /**
   * Opens the store. The default H2 file gets a private data directory and a password of its own
   * ({@link LocalStore}); a configured URL is opened with the configured user and password.
   */
  public static Database open(MxwatchConfig.Store store) throws ConfigException {
    String url = store.url();
    String password = store.password() == null ? "" : store.password().value();
    boolean local = url == null;
    if (local) {
      url = Database.h2Url(store.dataDir());
      password = LocalStore.prepare(store.dataDir(), url, store.user(), store.password() == null ? null : password);
      LocalStore.settleAfterCrash(store.dataDir(), store.user(), password);
    }
    try {
      Database db = Database.open(url, store.user(), password);
      if (local) {
        LocalStore.restrictFiles(store.dataDir());
      }
      return db;
    } catch (StoreException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  /** The store for log lines, without credentials. */
  public static String describe(MxwatchConfig.Store store) {
    return store.url() == null ? "H2 file in " + store.dataDir().toAbsolutePath() : Database.withoutSecrets(store.url());
  }
}
