package io.mxwatch.schedule;

import io.mxwatch.config.MxwatchConfig.Schedule;

/** A domain and when it is to be checked, as the configuration says. */
public record Planned(String domain, Schedule schedule) {}
