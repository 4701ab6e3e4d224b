package io.mxwatch.config;

import io.mxwatch.audit.Severity;
import io.mxwatch.drift.Expectations;
import io.mxwatch.smtp.SmtpSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The validated configuration, every value set (defaults filled in). Built by {@link
 * ConfigLoader}; command-line options override the probing part with {@link #withProbing}.
 */
public record MxwatchConfig(Dns dns, Smtp smtp, Check check, Watch watch, Store store, Http http, Metrics metrics, Alerts alerts) {

  /**
   * @param resolvers the servers to query; empty means the system's resolvers
   * @param caseRandomization whether the letters of each query's name are sent in random case
   *     and answers must repeat them (0x20); off only for a resolver that changes them
   * @param dnssec DNSSEC validation of the answers mail delivery depends on, and DANE
   */
  public record Dns(List<InetSocketAddress> resolvers, Duration timeout, int retries, int maxInFlight, boolean caseRandomization, Dnssec dnssec) {
    public Dns {
      resolvers = List.copyOf(resolvers);
    }

    /** With the default DNSSEC validation. */
    public Dns(List<InetSocketAddress> resolvers, Duration timeout, int retries, int maxInFlight, boolean caseRandomization) {
      this(resolvers, timeout, retries, maxInFlight, caseRandomization, Dnssec.defaults());
    }

    /**
     * 128 queries outstanding: as many as a server's socket holds with the kernel's default
     * receive buffer (208 KiB) and room to spare. At 256, Knot with that buffer dropped ~215 of
     * the 900,000 queries of a check of 100,000 domains, each one then waited its whole timeout
     * (2 s) before it was asked again; at 192 and 128 none was dropped (README, Performance).
     */
    public static Dns defaults() {
      return new Dns(List.of(), Duration.ofSeconds(2), 2, 128, true);
    }
  }

  /**
   * @param validate whether the MX set, the exchanges' addresses and their TLSA records are
   *     validated (and TLSA records looked up: DANE)
   * @param trustAnchors DS or DNSKEY records to validate from; null: the shipped root anchors
   */
  public record Dnssec(boolean validate, java.nio.file.Path trustAnchors) {
    public static Dnssec defaults() {
      return new Dnssec(true, null);
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
   * @param authoritative whether the daemon asks every authoritative nameserver of each domain's
   *     zone too (the one-shot check does with --authoritative)
   * @param inconsistentAfter how long the nameservers may disagree (a change in progress, warning)
   *     before the daemon calls it inconsistent (critical)
   * @param nameserverPort the port nameservers are asked on: 53, or another in a lab whose zones
   *     are served elsewhere
   */
  public record Check(Duration deadline, int concurrency, boolean authoritative, Duration inconsistentAfter, int nameserverPort) {
    public Check(Duration deadline, int concurrency) {
      this(deadline, concurrency, true, Duration.ofHours(1), 53);
    }

    public static Check defaults() {
      return new Check(Duration.ofSeconds(20), 256, true, Duration.ofHours(1), 53);
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
   * @param dkimSelectors the selectors whose DKIM keys are checked ({@link
   *     io.mxwatch.config.DkimSelectors}), its own or the defaults'
   */
  public record Domain(String name, Schedule schedule, int confirmations, Expectations expect, List<String> dkimSelectors) {
    public Domain {
      dkimSelectors = List.copyOf(dkimSelectors);
    }

    /** A domain without DKIM selectors. */
    public Domain(String name, Schedule schedule, int confirmations, Expectations expect) {
      this(name, schedule, confirmations, expect, List.of());
    }
  }

  /**
   * What the daemon watches: the defaults and every domain, in the order of the inline list and
   * then the domains file. Finding a domain by name takes constant time (100,000 domains are
   * looked up in loops over all of them).
   */
  public static final class Watch {
    private final Schedule schedule;
    private final int confirmations;
    private final List<String> dkimSelectors;
    /** The inline domains, and the domains file's when it was read at once. */
    private final List<Domain> listed;
    private final java.util.Map<String, Domain> listedByName;
    /** Reads the domains file's domains on first use; null when there is nothing left to read. */
    private final DeferredDomains deferred;
    private volatile All all;
    private volatile List<String> sortedNames;

    /** Every domain and the index by name. */
    private record All(List<Domain> domains, java.util.Map<String, Domain> byName) {}

    /**
     * The domains file of a configuration loaded with it deferred ({@link
     * io.mxwatch.config.ConfigLoader#loadDeferringDomainsFile}): read when a domain is asked for
     * that the inline list does not have, or the whole list.
     */
    public interface DeferredDomains {
      /**
       * @throws DomainsFileException when the file cannot be read or has bad lines
       */
      List<Domain> read();
    }

    /** The deferred domains file could not be used; the message is the configuration error. */
    public static final class DomainsFileException extends RuntimeException {
      private static final long serialVersionUID = 1L;

      public DomainsFileException(String message) {
        super(message);
      }
    }

    public Watch(Schedule schedule, int confirmations, List<Domain> domains) {
      this(schedule, confirmations, List.of(), domains, null);
    }

    public Watch(Schedule schedule, int confirmations, List<Domain> domains, DeferredDomains deferred) {
      this(schedule, confirmations, List.of(), domains, deferred);
    }

    /**
     * @param dkimSelectors the defaults' DKIM selectors (those of a domain without its own)
     * @param domains the domains known now, in order
     * @param deferred the rest, read on first use and placed after them; null for none
     */
    public Watch(Schedule schedule, int confirmations, List<String> dkimSelectors, List<Domain> domains, DeferredDomains deferred) {
      this.schedule = schedule;
      this.confirmations = confirmations;
      this.dkimSelectors = List.copyOf(dkimSelectors);
      this.listed = List.copyOf(domains);
      this.listedByName = index(listed);
      this.deferred = deferred;
      if (deferred == null) {
        all = new All(listed, listedByName);
      }
    }

    private static java.util.Map<String, Domain> index(List<Domain> domains) {
      java.util.Map<String, Domain> index = new java.util.HashMap<>(domains.size() * 2);
      for (Domain d : domains) {
        index.putIfAbsent(d.name(), d);
      }
      return java.util.Collections.unmodifiableMap(index);
    }

    /** Every domain, the deferred file's read now if it was not yet. */
    private All all() {
      All a = all;
      if (a == null) {
        synchronized (this) {
          a = all;
          if (a == null) {
            java.util.LinkedHashMap<String, Domain> merged = new java.util.LinkedHashMap<>(listedByName.size() * 2);
            listed.forEach(d -> merged.putIfAbsent(d.name(), d));
            deferred.read().forEach(d -> merged.putIfAbsent(d.name(), d));
            List<Domain> domains = List.copyOf(merged.values());
            a = new All(domains, index(domains));
            all = a;
          }
        }
      }
      return a;
    }

    public static Watch defaults() {
      return new Watch(new Schedule.Every(Duration.ofMinutes(5)), 2, List.of());
    }

    /** How domains without their own schedule are checked. */
    public Schedule schedule() {
      return schedule;
    }

    public int confirmations() {
      return confirmations;
    }

    /** The DKIM selectors of domains without their own (and of a one-shot check of an unlisted domain). */
    public List<String> dkimSelectors() {
      return dkimSelectors;
    }

    /** Every watched domain, in configuration order. */
    public List<Domain> domains() {
      return all().domains();
    }

    /**
     * The watched domain named {@code name}; empty when it is not configured. An inline domain is
     * found without reading a deferred domains file.
     */
    public java.util.Optional<Domain> domain(String name) {
      Domain d = listedByName.get(name);
      return d != null ? java.util.Optional.of(d) : java.util.Optional.ofNullable(all().byName().get(name));
    }

    /** The watched domains' names in order (sorted once, on first use). */
    public List<String> sortedNames() {
      List<String> names = sortedNames;
      if (names == null) {
        String[] sorted = all().byName().keySet().toArray(String[]::new);
        java.util.Arrays.sort(sorted);
        names = java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted));
        sortedNames = names;
      }
      return names;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Watch w && confirmations == w.confirmations && schedule.equals(w.schedule) && dkimSelectors.equals(w.dkimSelectors)
          && domains().equals(w.domains());
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(schedule, confirmations, dkimSelectors, domains());
    }

    @Override
    public String toString() {
      All a = all;
      return "Watch[schedule=" + schedule + ", confirmations=" + confirmations + ", "
          + (a == null ? listed.size() + " domains and a domains file not read yet" : a.domains().size() + " domains") + "]";
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
   * @param retention how long distinct snapshots are kept (each domain keeps its latest)
   * @param eventRetention how long confirmed change events are kept (approvals stay)
   */
  public record Store(Path dataDir, String url, String user, Secret password, Duration retention, Duration eventRetention) {
    public static Store defaults() {
      return new Store(Path.of("data"), null, "", null, Duration.ofDays(90), Duration.ofDays(730));
    }
  }

  /**
   * The HTTP listener for metrics, health and the JSON API.
   *
   * @param token the bearer token the write operations (ack, silence, reload) require; null when
   *     they are disabled
   */
  public record Http(InetSocketAddress listen, Secret token) {
    public static Http defaults() {
      return new Http(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9725), null);
    }
  }

  /** Which domains get per-domain series in {@code /metrics}. */
  public enum DomainSeries {
    /** Domains critical or unknown, with open changes, failing lookups, an exchange down, or overdue. */
    PROBLEMS,
    /** Every watched domain (about 25 series each). */
    ALL,
    /** None: aggregates only; {@code /probe?target=DOMAIN} gives one domain's series. */
    NONE
  }

  /**
   * What {@code /metrics} exports.
   *
   * @param maxDetailedDomains the most domains with per-domain series in one scrape (the worst
   *     first); about 2 kB each
   */
  public record Metrics(DomainSeries domainSeries, int maxDetailedDomains) {
    public static Metrics defaults() {
      return new Metrics(DomainSeries.PROBLEMS, 5000);
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

  /**
   * The mail relay alerts go through.
   *
   * @param username null when the relay takes mail without AUTH
   * @param timeout for connecting and for each reply of the relay
   */
  public record Relay(String host, int port, Tls tls, boolean verifyCertificates, String username, Secret password, Duration timeout) {}

  /**
   * Where the alerts of some domains go.
   *
   * @param name names the route in the store and in Message-IDs (letters, digits, '-')
   * @param minSeverity alerts below it are not sent on this route
   * @param continueMatching whether the routes after this one are tried too
   */
  public record Route(String name, List<DomainPattern> domains, List<String> to, Severity minSeverity, boolean continueMatching) {
    public static final String DEFAULT = "default";

    public Route {
      domains = List.copyOf(domains);
      to = List.copyOf(to);
    }

    public boolean matches(String domain) {
      return domains.stream().anyMatch(p -> p.matches(domain));
    }
  }

  /** A maintenance window: alerts of matching domains are recorded but not sent from start to end. */
  public record Silence(DomainPattern domain, Instant start, Instant end, String reason) {}

  /**
   * Alert email settings.
   *
   * @param to the default route's recipients: every domain no route matches
   * @param minSeverity the default route's threshold
   * @param relay null when alerts are disabled
   * @param publicUrl the daemon's page as people reach it; null when none
   */
  public record Alerts(
      boolean enabled,
      String from,
      List<String> to,
      Severity minSeverity,
      List<Route> routes,
      List<Silence> silences,
      Relay relay,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval,
      boolean sendResolved,
      URI publicUrl) {
    public Alerts {
      to = List.copyOf(to);
      routes = List.copyOf(routes);
      silences = List.copyOf(silences);
    }

    public static Alerts defaults() {
      return new Alerts(
          false,
          null,
          List.of(),
          Severity.WARNING,
          List.of(),
          List.of(),
          null,
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofHours(4),
          true,
          null);
    }

    /**
     * The routes the alerts of {@code domain} take: the configured routes that match, in order, up
     * to the first without {@code continue}; the default route when none matches.
     */
    public List<Route> routesFor(String domain) {
      List<Route> out = new ArrayList<>();
      for (Route r : routes) {
        if (r.matches(domain)) {
          out.add(r);
          if (!r.continueMatching()) {
            return out;
          }
        }
      }
      return out.isEmpty() ? List.of(defaultRoute()) : out;
    }

    /** The route of the top-level {@code to} and {@code min_severity}. */
    public Route defaultRoute() {
      return new Route(Route.DEFAULT, List.of(DomainPattern.ALL), to, minSeverity, false);
    }

    /** Every recipient of any route, each once. */
    public List<String> allRecipients() {
      Set<String> all = new LinkedHashSet<>(to);
      routes.forEach(r -> all.addAll(r.to()));
      return List.copyOf(all);
    }
  }

  public static MxwatchConfig defaults() {
    return new MxwatchConfig(
        Dns.defaults(), Smtp.defaults(), Check.defaults(), Watch.defaults(), Store.defaults(), Http.defaults(), Metrics.defaults(), Alerts.defaults());
  }

  /** This configuration with other DNS, SMTP and check settings (command-line overrides). */
  public MxwatchConfig withProbing(Dns dns, Smtp smtp, Check check) {
    return new MxwatchConfig(dns, smtp, check, watch, store, http, metrics, alerts);
  }
}
