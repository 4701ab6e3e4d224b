package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Starts the daemon for a configuration; built by the application. */
@FunctionalInterface
public interface DaemonFactory {
  /**
   * @param configFile the file {@code config} was read from, quoted in alert emails; null for the
   *     embedded defaults
   * @param reload asks for the configuration file to be re-read and applied, as SIGHUP does (for
   *     the HTTP API); completes when applied, exceptionally with the reason when rejected
   */
  Daemon start(MxwatchConfig config, Path configFile, Supplier<CompletableFuture<Void>> reload) throws ConfigException;
}
