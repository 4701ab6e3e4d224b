package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import java.nio.file.Path;

/** Starts the daemon for a configuration; built by the application. */
@FunctionalInterface
public interface DaemonFactory {
  /**
   * @param configFile the file {@code config} was read from, quoted in alert emails; null for the
   *     embedded defaults
   */
  Daemon start(MxwatchConfig config, Path configFile) throws ConfigException;
}
