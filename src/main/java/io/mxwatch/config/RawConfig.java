package io.mxwatch.config;

import java.util.List;

/**
 * The YAML as written: every key optional, values unchecked. {@link ConfigLoader} validates it
 * into {@link MxwatchConfig}. Keys are snake_case in the file.
 */
record RawConfig(RawDns dns, RawSmtp smtp, RawCheck check) {

  record RawDns(List<String> resolvers, String timeout, Integer retries, Integer maxInFlight) {}

  record RawSmtp(
      Boolean enabled,
      Integer port,
      String heloName,
      String connectTimeout,
      String readTimeout,
      String deadline,
      Integer maxConcurrent,
      Boolean ipv6) {}

  record RawCheck(String deadline, Integer concurrency) {}
}
