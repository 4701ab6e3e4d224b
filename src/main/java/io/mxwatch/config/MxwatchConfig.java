package io.mxwatch.config;

import io.mxwatch.drift.Expectations;
import io.mxwatch.smtp.SmtpSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration, every value set (defaults filled in). Built by {@link
 * ConfigLoader}; command-line options override the probing part with {@link #withProbing}.
 */
public record MxwatchConfig(Dns dns, Smtp smtp, Check check, Watch watch, Store store, Http http, Alerts alerts) {

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

  /** When a domain is checked: at a fixed interval, or by a Quartz cron expression. */
  public sealed interface Schedule {
    /** Every {@code interval}, each domain at its own offset within it. */
    record Every(Duration interval) implements Schedule {}

    /** A Quartz cron expression (seconds first), in the host's time zone. */
    record Cron(String expression) implements Schedule {}
  }

  /**
   * One watched domain.
   *
   * @param name the normalised name (lower case, no trailing dot)
   * @param confirmations consecutive checks that must agree before a difference is a change
   */
  public record Domain(String name, Schedule schedule, int confirmations, Expectations expect) {}

  /**
   * What the daemon watches.
   *
   * @param domains every domain, from the inline list and the domains file, in that order
   */
  public record Watch(Schedule schedule, int confirmations, List<Domain> domains) {
    public Watch {
      domains = List.copyOf(domains);
    }

    public static Watch defaults() {
      return new Watch(new Schedule.Every(Duration.ofMinutes(5)), 2, List.of());
    }

    /** The watched domain named {@code name}; empty when it is not configured. */
    public java.util.Optional<Domain> domain(String name) {
      return domains.stream().filter(d -> d.name().equals(name)).findFirst();
    }
  }

  /** A value that must never be printed or logged. */
  public record Secret(String value) {
    @Override
    public String toString() {
      return "***";
    }
  }

  /**
   * The history database.
   *
   * @param dataDir where the default H2 file lives
   * @param url a JDBC URL; null for the H2 file in {@code dataDir}
   * @param password null when none
   * @param retention how long distinct snapshots are kept (change events and approvals stay)
   */
  public record Store(Path dataDir, String url, String user, Secret password, Duration retention) {
    public static Store defaults() {
      return new Store(Path.of("data"), null, "", null, Duration.ofDays(90));
    }
  }

  /** The HTTP listener for metrics, health and the JSON API. */
  public record Http(InetSocketAddress listen) {
    public static Http defaults() {
      return new Http(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9725));
    }
  }

  /** How the alert relay is reached. */
  public enum Tls {
    /** Plain connection upgraded with STARTTLS, which must succeed. */
    STARTTLS,
    /** TLS from the first byte (port 465). */
    TLS,
    /** No encryption; only when configured explicitly. */
    NONE
  }

  /** The mail relay alerts go through. */
  public record Relay(String host, int port, Tls tls, boolean verifyCertificates, String username, Secret password) {}

  /**
   * Alert email settings.
   *
   * @param relay null when alerts are disabled
   * @param publicUrl the daemon's page as people reach it; null when none
   */
  public record Alerts(
      boolean enabled,
      String from,
      List<String> to,
      Relay relay,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval,
      boolean sendResolved,
      URI publicUrl) {
    public Alerts {
      to = List.copyOf(to);
    }

    public static Alerts defaults() {
      return new Alerts(false, null, List.of(), null, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), true, null);
    }
  }

  public static MxwatchConfig defaults() {
    return new MxwatchConfig(
        Dns.defaults(), Smtp.defaults(), Check.defaults(), Watch.defaults(), Store.defaults(), Http.defaults(), Alerts.defaults());
  }

  /** This configuration with other DNS, SMTP and check settings (command-line overrides). */
  public MxwatchConfig withProbing(Dns dns, Smtp smtp, Check check) {
    return new MxwatchConfig(dns, smtp, check, watch, store, http, alerts);
  }
}
