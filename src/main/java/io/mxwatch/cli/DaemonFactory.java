package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;

/** Starts the daemon for a configuration; built by the application. */
@FunctionalInterface
public interface DaemonFactory {
  Daemon start(MxwatchConfig config) throws ConfigException;
}
