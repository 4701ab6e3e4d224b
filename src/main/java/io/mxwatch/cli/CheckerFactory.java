package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;

/** Builds the DNS client, prober, snapshotter and auditor for a configuration. */
@FunctionalInterface
public interface CheckerFactory {
  Checker open(MxwatchConfig config) throws ConfigException;
}
