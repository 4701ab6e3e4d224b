package io.mxwatch.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mxwatch.alert.AlertCounters;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Status;
import io.mxwatch.dns.DnsLookup;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.schedule.JobCounters;
import io.mxwatch.smtp.SmtpProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's meters: what this process did (checks, DNS lookups, SMTP probes, alert emails), the
 * scheduler, the outbox, and the JVM and process meters in one Micrometer Prometheus registry,
 * registered once; and the table of every watched domain ({@link #domains()}), rendered at scrape
 * time into aggregates and the per-domain series that matter. {@link #scrape} streams both, so a
 * scrape never holds the whole exposition in memory.
 */
public final class Metrics {
  /** The classic Prometheus text format, what promtool and most scrapers read. */
  public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  /** OpenMetrics, which Prometheus asks for first. */
  public static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DomainMetrics domains = new DomainMetrics();
  private final Clock clock;
  private final Timer schedulerLag;
  private final Map<Status, Counter> checks = new EnumMap<>(Status.class);
  private final Counter checkErrors;
  private final Counter snapshotsReplaced;
  private final Map<DnsStatus, Counter> dnsQueries = new EnumMap<>(DnsStatus.class);
  private final Map<String, Counter> smtpProbes = new HashMap<>();
  private final Timer checkDuration;
  private volatile int watched;
  private volatile int outboxPending;
  private volatile Instant outboxOldest;
  private volatile boolean lastReloadOk = true;
  private volatile Instant lastReloadAt;

  public Metrics(Clock clock) {
    this.clock = clock;
    this.lastReloadAt = clock.instant();
    // two of Micrometer's meters break Prometheus naming rules (promtool check metrics):
    // process_cpu_time_ns_total (a unit that is not base) and system_cpu_count (a gauge named _count);
    // process_cpu_usage and the JVM's own meters tell the same
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    String version = Metrics.class.getPackage().getImplementationVersion();
    Gauge.builder(MetricNames.BUILD_INFO, () -> 1)
        .tags("version", version == null ? "dev" : version, "java_version", Runtime.version().toString())
        .description("The running mxwatch: its version and the Java runtime (always 1).")
        .register(registry);
    Gauge.builder(MetricNames.DOMAINS_WATCHED, this, m -> m.watched).description("Domains in the configuration.").register(registry);
    for (Status s : Status.values()) {
      checks.put(s, Counter.builder(MetricNames.CHECKS).tag("result", s.label()).description(CHECKS_HELP).register(registry));
    }
    checkErrors = Counter.builder(MetricNames.CHECKS).tag("result", "error").description(CHECKS_HELP).register(registry);
    snapshotsReplaced =
        Counter.builder(MetricNames.SNAPSHOTS_REPLACED)
            .description(
                "Checks whose new state replaced their domain's latest snapshot: the domain had "
                    + io.mxwatch.store.HistoryStore.CHURN_LIMIT
                    + " distinct snapshots within 24 hours.")
            .register(registry);
    for (DnsStatus s : DnsStatus.values()) {
      dnsQueries.put(
          s,
          Counter.builder(MetricNames.DNS_QUERIES)
              .tag("outcome", s.label())
              .description("DNS lookups by outcome (records, nodata, nxdomain, servfail, refused, timeout, error), after retries.")
              .register(registry));
    }
    for (String outcome : SmtpProbe.OUTCOMES) {
      smtpProbes.put(
          outcome,
          Counter.builder(MetricNames.SMTP_PROBES)
              .tag("outcome", outcome)
              .description("SMTP probes of exchange addresses by outcome (ok, rejected, bad_greeting, refused, timeout, reset, error).")
              .register(registry));
    }
    checkDuration = Timer.builder(MetricNames.CHECK_DURATION).description("How long checks took (DNS lookups and SMTP probes).").register(registry);
    Gauge.builder(MetricNames.OUTBOX_EMAILS, this, m -> m.outboxPending).description("Alert emails waiting in the outbox to be sent.").register(registry);
    Gauge.builder(MetricNames.OUTBOX_OLDEST, this, m -> m.outboxOldest == null ? Double.NaN : m.outboxOldest.toEpochMilli() / 1000.0)
        .baseUnit("seconds")
        .description("When the oldest email waiting in the outbox was queued; NaN when none waits.")
        .register(registry);
    Gauge.builder(MetricNames.CONFIG_RELOAD_SUCCESS, this, m -> m.lastReloadOk ? 1 : 0)
        .description("Whether the last configuration reload succeeded (1) or was rejected (0).")
        .register(registry);
    schedulerLag =
        Timer.builder(MetricNames.SCHEDULER_LAG)
            .description("How late checks started after the time they were scheduled for.")
            .serviceLevelObjectives(LAG_BUCKETS)
            .register(registry);
    Gauge.builder(MetricNames.CONFIG_RELOAD_TIME, this, m -> m.lastReloadAt.toEpochMilli() / 1000.0)
        .baseUnit("seconds")
        .description("When the configuration was last loaded successfully.")
        .register(registry);
  }

  private static final Duration[] LAG_BUCKETS = {
    Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)
  };

  private static final String CHECKS_HELP = "Checks run by this process, by result: the domain's status, or error when the check itself failed.";

  /** The meters of each watched domain and its exchanges. */
  public DomainMetrics domains() {
    return domains;
  }

  /** Counts a check this process ran: its status, its DNS lookups, its SMTP probes, its duration. */
  public void checked(CheckResult result) {
    checks.get(result.status()).increment();
    for (DnsLookup lookup : result.snapshot().lookups()) {
      dnsQueries.get(lookup.outcome()).increment();
    }
    for (SmtpProbe probe : result.snapshot().smtp()) {
      smtpProbes.get(probe.outcome()).increment();
    }
    checkDuration.record(Duration.ofNanos((long) (result.snapshot().durationMs() * 1_000_000)));
  }

  /** Counts a check that failed before it could be recorded (an error, not a status). */
  public void checkFailed() {
    checkErrors.increment();
  }

  /** A check's new state replaced its domain's latest snapshot (the domain's records churn). */
  public void snapshotReplaced() {
    snapshotsReplaced.increment();
  }

  /** Exports how late the scheduler started checks (a histogram) and the checks it skipped. */
  public void bind(JobCounters jobs) {
    jobs.observeLag(schedulerLag::record);
    FunctionCounter.builder(MetricNames.SCHEDULER_SKIPPED, jobs, JobCounters::missedTotal)
        .tag("reason", "missed")
        .description("Checks not started: missed, due while no daemon ran or more than a minute before their slot fired; overlap, the previous check of the domain still ran.")
        .register(registry);
    FunctionCounter.builder(MetricNames.SCHEDULER_SKIPPED, jobs, JobCounters::overlappedTotal)
        .tag("reason", "overlap")
        .description("Checks not started: missed, due while no daemon ran or more than a minute before their slot fired; overlap, the previous check of the domain still ran.")
        .register(registry);
  }

  /** Exports what the alert sender did. */
  public void bind(AlertCounters alerts) {
    FunctionCounter.builder(MetricNames.ALERTS_QUEUED, alerts, AlertCounters::queued).description("Alert emails written to the outbox.").register(registry);
    FunctionCounter.builder(MetricNames.ALERTS_SENT, alerts, AlertCounters::sent).description("Alert emails the relay accepted.").register(registry);
    FunctionCounter.builder(MetricNames.ALERTS_FAILED, alerts, AlertCounters::failed)
        .description("Alert emails the relay refused for good (5xx); they stay in the outbox as undeliverable.")
        .register(registry);
    FunctionCounter.builder(MetricNames.ALERTS_EXPIRED, alerts, AlertCounters::expired)
        .description("Alert emails given up because the relay did not take them within 24 hours of their decision; they stay in the outbox as undeliverable.")
        .register(registry);
    FunctionCounter.builder(MetricNames.ALERT_RETRIES, alerts, AlertCounters::retried)
        .description("Attempts to send an alert email that failed and will be retried (relay down, 4xx).")
        .register(registry);
    FunctionCounter.builder(MetricNames.ALERT_RECIPIENTS_REJECTED, alerts, AlertCounters::rejectedRecipients)
        .description("Recipients the relay refused for good in emails it otherwise accepted.")
        .register(registry);
  }

  /** The number of domains in the configuration now. */
  public void watched(int domains) {
    this.watched = domains;
  }

  /** What waits in the outbox now. */
  public void outbox(int pending, Instant oldest) {
    this.outboxPending = pending;
    this.outboxOldest = oldest;
  }

  /** A reload was applied ({@code ok}) or rejected at {@code at}. */
  public void reloaded(boolean ok, Instant at) {
    lastReloadOk = ok;
    if (ok) {
      lastReloadAt = at;
    }
  }

  /** The format to answer a scrape with, from its Accept header. */
  public static String contentType(String accept) {
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text") ? OPENMETRICS_FORMAT : TEXT_FORMAT;
  }

  /**
   * Writes every meter in {@code contentType} ({@link #TEXT_FORMAT} or {@link #OPENMETRICS_FORMAT})
   * to {@code out}: the registry's meters, the aggregates over all domains, and the per-domain
   * series the detail setting picks.
   */
  public void scrape(String contentType, OutputStream out) throws IOException {
    boolean openMetrics = contentType.equals(OPENMETRICS_FORMAT);
    ByteArrayOutputStream meters = new ByteArrayOutputStream(64 * 1024);
    registry.scrape(meters, contentType);
    byte[] head = meters.toByteArray();
    int length = head.length;
    byte[] eof = "# EOF\n".getBytes(StandardCharsets.US_ASCII);
    if (openMetrics && length >= eof.length && java.util.Arrays.equals(head, length - eof.length, length, eof, 0, eof.length)) {
      length -= eof.length; // the domains' families come before the end marker
    }
    out.write(head, 0, length);
    Writer w = new java.io.BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    Exposition exposition = new Exposition(w, openMetrics);
    domains.write(exposition, clock.instant());
    exposition.end();
  }

  /**
   * Writes every per-domain series of {@code domain} (Prometheus' multi-target pattern).
   *
   * @return false, with nothing written, when the domain is not watched
   */
  public boolean probe(String domain, String contentType, OutputStream out) throws IOException {
    Writer w = new java.io.BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 16 * 1024);
    Exposition exposition = new Exposition(w, contentType.equals(OPENMETRICS_FORMAT));
    if (!domains.writeDomain(exposition, domain, clock.instant())) {
      return false;
    }
    exposition.end();
    return true;
  }

  /** {@link #scrape(String, OutputStream)} into a string (tests, small scrapes). */
  public String scrape(String contentType) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      scrape(contentType, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
