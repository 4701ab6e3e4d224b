package io.mxwatch.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mxwatch.audit.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * The meters of each watched domain and of its exchanges. A domain's meters exist while it is
 * watched ({@link #watch}); a domain removed from the configuration stops being exported, and an
 * exchange that leaves a domain's MX set stops being exported with the check that saw it go.
 *
 * <p>Two sources fill them: the checks this process runs ({@link #checked}: MX, SMTP, SPF, DMARC
 * figures) and the store ({@link #drift}: status, last check, open changes), so approvals made
 * from the command line and checks run by another daemon on a shared store show here too.
 */
public final class DomainMetrics {
  /** Exchanges exported per domain; a longer MX set is cut (its size is still exported). */
  static final int MAX_EXCHANGES = 50;

  /** Exchange names that may become label values: host names as DNS returns them, lowercased. */
  private static final Pattern HOST = Pattern.compile("[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9_])?");

  private final MeterRegistry registry;
  private final Map<String, Domain> domains = new ConcurrentHashMap<>();

  DomainMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Sets the watched domains with their check intervals: new ones get their meters, the ones no
   * longer watched lose theirs.
   */
  public synchronized void watch(Map<String, Duration> intervals) {
    for (String name : Set.copyOf(domains.keySet())) {
      if (!intervals.containsKey(name)) {
        domains.remove(name).remove();
      }
    }
    intervals.forEach((name, interval) -> domains.computeIfAbsent(name, Domain::new).interval = interval.toMillis() / 1000.0);
  }

  /** The figures of a check of {@code domain} this process just ran. */
  public void checked(String domain, CheckFigures figures) {
    Domain d = domains.get(domain);
    if (d != null) {
      d.checked(figures);
    }
  }

  /** The store's figures of {@code domain}. */
  public void drift(String domain, DriftFigures figures) {
    Domain d = domains.get(domain);
    if (d != null) {
      d.drift = figures;
    }
  }

  /** The drift-state version each watched domain's figures were read at; -1 when never read. */
  public Map<String, Long> versions() {
    Map<String, Long> out = new HashMap<>();
    domains.forEach((name, d) -> out.put(name, d.drift == null ? -1 : d.drift.version()));
    return out;
  }

  /** Whether {@code name} may be a label value (host names only, never arbitrary DNS text). */
  static boolean labelSafe(String name) {
    return HOST.matcher(name).matches();
  }

  /** One watched domain: its meters read the latest figures. */
  private final class Domain {
    private final String name;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Exchange> exchanges = new HashMap<>();
    private volatile CheckFigures check;
    private volatile DriftFigures drift;
    private volatile double interval = Double.NaN;
    private boolean removed;

    Domain(String name) {
      this.name = name;
      drift(MetricNames.DOMAIN_STATUS, null, "The domain's status: 0 ok, 1 warning, 2 critical, 3 unknown (a lookup failed).", DriftFigures::status);
      drift(MetricNames.DOMAIN_LAST_CHECK, "seconds", "When the domain was last checked.", f -> seconds(f.lastCheck()));
      drift(MetricNames.DOMAIN_LAST_CHANGE, "seconds", "When the latest change of the domain was confirmed; NaN when none was.", f -> seconds(f.lastChange()));
      drift(MetricNames.DOMAIN_DNS_FAILING, null, "1 while lookups of the domain have failed for the confirmations in a row (DNS_LOOKUP_FAILING), else 0.", f -> f.failing() ? 1 : 0);
      for (Severity s : Severity.values()) {
        meters.add(
            Gauge.builder(MetricNames.DOMAIN_DRIFT_OPEN, this, d -> d.drift == null ? Double.NaN : d.drift.open().getOrDefault(s, 0))
                .tags("domain", name, "severity", s.label())
                .description("Open (confirmed, not approved) changes and expectation mismatches of the domain, by severity.")
                .strongReference(true)
                .register(registry));
        meters.add(
            Gauge.builder(MetricNames.DOMAIN_FINDINGS, this, d -> d.check == null ? Double.NaN : d.check.findings().getOrDefault(s, 0))
                .tags("domain", name, "severity", s.label())
                .description("Audit findings of the domain's latest check, by severity.")
                .strongReference(true)
                .register(registry));
      }
      meters.add(
          Gauge.builder(MetricNames.DOMAIN_CHECK_INTERVAL, this, d -> d.interval)
              .tags("domain", name)
              .baseUnit("seconds")
              .description("How often the domain is checked (for a cron schedule: the time between its next two runs).")
              .strongReference(true)
              .register(registry));
      check(MetricNames.DOMAIN_CHECK_DURATION, "seconds", "How long the domain's latest check took.", CheckFigures::durationSeconds);
      check(MetricNames.DOMAIN_MX_RECORDS, null, "MX records of the domain (a null MX counts as one, the implicit MX as none).", CheckFigures::mxRecords);
      check(MetricNames.DOMAIN_EXCHANGES, null, "Exchanges mail for the domain can be delivered to.", CheckFigures::exchanges);
      check(MetricNames.DOMAIN_EXCHANGES_REACHABLE, null, "Exchanges of the domain with an address that greeted with 220.", CheckFigures::reachable);
      check(
          MetricNames.DOMAIN_PRIMARY_EXCHANGES_REACHABLE,
          null,
          "Exchanges of the lowest preference with an address that greeted with 220.",
          CheckFigures::primaryReachable);
      check(MetricNames.DOMAIN_SPF_LOOKUPS, null, "DNS-querying SPF terms over the include tree (RFC 7208 limit: 10); NaN without SPF.", CheckFigures::spfLookups);
      check(MetricNames.DOMAIN_DMARC_POLICY, null, "The DMARC policy: -1 no valid record, 0 none, 1 quarantine, 2 reject.", CheckFigures::dmarcPolicy);
    }

    private void drift(String metric, String unit, String help, ToDoubleFunction<DriftFigures> value) {
      meters.add(
          Gauge.builder(metric, this, d -> d.drift == null ? Double.NaN : value.applyAsDouble(d.drift))
              .tags("domain", name)
              .baseUnit(unit)
              .description(help)
              .strongReference(true)
              .register(registry));
    }

    private void check(String metric, String unit, String help, ToDoubleFunction<CheckFigures> value) {
      meters.add(
          Gauge.builder(metric, this, d -> d.check == null ? Double.NaN : value.applyAsDouble(d.check))
              .tags("domain", name)
              .baseUnit(unit)
              .description(help)
              .strongReference(true)
              .register(registry));
    }

    synchronized void checked(CheckFigures figures) {
      if (removed) {
        return;
      }
      check = figures;
      Map<String, CheckFigures.Exchange> now = new HashMap<>();
      figures.exchangeFigures().forEach(
          (host, f) -> {
            if (labelSafe(host) && now.size() < MAX_EXCHANGES) {
              now.put(host, f);
            }
          });
      for (String gone : Set.copyOf(exchanges.keySet())) {
        if (!now.containsKey(gone)) {
          exchanges.remove(gone).meters.forEach(registry::remove);
        }
      }
      now.forEach((host, f) -> exchanges.computeIfAbsent(host, h -> new Exchange(name, h)).figures = f);
    }

    synchronized void remove() {
      removed = true;
      meters.forEach(registry::remove);
      exchanges.values().forEach(e -> e.meters.forEach(registry::remove));
      exchanges.clear();
    }
  }

  /** One exchange of a domain. */
  private final class Exchange {
    private final List<Meter> meters = new ArrayList<>();
    private volatile CheckFigures.Exchange figures;

    Exchange(String domain, String host) {
      meters.add(gauge(MetricNames.EXCHANGE_UP, domain, host, null, "1 when an address of the exchange greeted with 220, else 0.", CheckFigures.Exchange::up));
      meters.add(
          gauge(
              MetricNames.EXCHANGE_GREETING_LATENCY,
              domain,
              host,
              "seconds",
              "Connect plus 220 greeting of the exchange's fastest address; NaN when none greeted.",
              CheckFigures.Exchange::greetingSeconds));
      meters.add(gauge(MetricNames.EXCHANGE_PREFERENCE, domain, host, null, "The MX preference of the exchange (lower is tried first).", CheckFigures.Exchange::preference));
    }

    private Gauge gauge(String metric, String domain, String host, String unit, String help, ToDoubleFunction<CheckFigures.Exchange> value) {
      return Gauge.builder(metric, this, e -> e.figures == null ? Double.NaN : value.applyAsDouble(e.figures))
          .tags("domain", domain, "exchange", host)
          .baseUnit(unit)
          .description(help)
          .strongReference(true)
          .register(registry);
    }
  }

  private static double seconds(Instant t) {
    return t == null ? Double.NaN : t.toEpochMilli() / 1000.0;
  }
}
