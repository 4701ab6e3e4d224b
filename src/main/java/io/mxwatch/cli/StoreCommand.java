package io.mxwatch.cli;

import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.config.TimePoints;
import io.mxwatch.ops.OperationException;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.Stores;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * An operator command that works on the store the configuration names; safe while the daemon
 * runs (H2 serves the file to both, PostgreSQL is shared anyway).
 */
abstract class StoreCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "The daemon's YAML configuration (for the store and the declared expectations). Default: the embedded defaults, with ./data.")
  private Path configFile;

  private final ConfigLoader loader;
  protected final PrintStream out;
  protected final Clock clock;
  protected MxwatchConfig config;
  private Database db;

  StoreCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    this.loader = loader;
    this.out = out;
    this.clock = clock;
  }

  @Override
  public final Integer call() throws ConfigException {
    // the domains file is read if the command needs it: a filtered status of 100,000 domains does not
    config = configFile == null ? loader.defaults() : loader.loadDeferringDomainsFile(configFile);
    try (Database open = Stores.open(config.store())) {
      db = open;
      return run(new HistoryStore(db.dataSource()));
    } catch (MxwatchConfig.Watch.DomainsFileException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The alert groups, outbox and silences in the same store. */
  protected AlertStore alertStore() {
    return new AlertStore(db.dataSource());
  }

  /** Does the work; returns the exit status. */
  abstract int run(HistoryStore store) throws ConfigException;

  /** The operator actions on this store with this configuration. */
  protected Operations operations() {
    return new Operations(new HistoryStore(db.dataSource()), alertStore(), config, clock);
  }

  protected int confirmations(String domain) {
    return operations().confirmations(domain);
  }

  protected static String domain(String input) throws ConfigException {
    try {
      return Operations.domain(input);
    } catch (OperationException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  protected Instant time(String option, String text) throws ConfigException {
    try {
      return TimePoints.parse(text, clock.instant());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option + ": " + e.getMessage());
    }
  }

  /** The stored silences and the configuration's maintenance windows that have not ended, stored first. */
  protected List<SilenceRule> silencesInForce() {
    return operations().silencesInForce();
  }

  /** Who acts: {@code --by}, or the user running the command. */
  protected static String operator(String by) {
    return by != null ? by : System.getProperty("user.name", "unknown");
  }

  /** An instant to the second, as people read it. */
  protected static String at(Instant t) {
    return t == null ? "never" : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  /** The error for a domain the store has no check of. */
  protected static ConfigException neverChecked(String domain) {
    return new ConfigException(Operations.neverChecked(domain).getMessage());
  }

  /** A change as one line for a terminal: untrusted values escaped. */
  protected static String line(io.mxwatch.drift.Change c) {
    return line(c.severity().label(), c.code(), c.subject(), c.before(), c.after());
  }

  /** {@code SEVERITY CODE subject: before → after}, untrusted values escaped. */
  protected static String line(String severity, String code, String subject, String before, String after) {
    return severity.toUpperCase(java.util.Locale.ROOT) + " " + code + " " + Printable.of(subject) + ": " + Printable.of(before) + " → "
        + Printable.of(after);
  }
}
