package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;

/** The running daemon as {@code mxwatch run} controls it. */
public interface Daemon extends AutoCloseable {
  /**
   * Applies a new, validated configuration: domains added and removed, schedules changed.
   *
   * @throws ConfigException when it could not be applied (the previous one keeps running)
   */
  void reload(MxwatchConfig config) throws ConfigException;

  /** A reload was asked for but its configuration was rejected; the running one stays. */
  default void reloadRejected() {}

  /** Stops checking, waits a bounded time for checks in flight, closes the store. */
  @Override
  void close();
}
