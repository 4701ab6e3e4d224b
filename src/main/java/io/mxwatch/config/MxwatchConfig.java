package io.mxwatch.config;

import io.mxwatch.smtp.SmtpSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration, every value set (defaults filled in). Built by {@link
 * ConfigLoader}; command-line options override it with the {@code with} methods.
 */
public record MxwatchConfig(Dns dns, Smtp smtp, Check check) {

  /**
   * @param resolvers the servers to query; empty means the system's resolvers
   */
  public record Dns(List<InetSocketAddress> resolvers, Duration timeout, int retries, int maxInFlight) {
    public Dns {
      resolvers = List.copyOf(resolvers);
    }

    public static Dns defaults() {
      return new Dns(List.of(), Duration.ofSeconds(2), 2, 256);
    }
  }

  /**
   * @param enabled whether exchanges are probed at all
   * @param probe how they are probed
   */
  public record Smtp(boolean enabled, SmtpSettings probe) {
    public static Smtp defaults() {
      return new Smtp(true, SmtpSettings.defaults());
    }
  }

  /**
   * @param deadline the time one domain's DNS lookups may take in all
   * @param concurrency domains checked at once
   */
  public record Check(Duration deadline, int concurrency) {
    public static Check defaults() {
      return new Check(Duration.ofSeconds(20), 256);
    }
  }

  public static MxwatchConfig defaults() {
    return new MxwatchConfig(Dns.defaults(), Smtp.defaults(), Check.defaults());
  }
}
