package io.mxwatch.metrics;

import io.mxwatch.audit.Severity;
import io.mxwatch.config.MxwatchConfig.DomainSeries;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What the metrics know of each watched domain, in a compact table (about 200 bytes a domain),
 * rendered at scrape time: aggregate series over all domains, and per-domain series for the
 * domains that need attention ({@link DomainSeries#PROBLEMS}, the default), for all ({@link
 * DomainSeries#ALL}) or for none. {@link #writeDomain} renders every series of one domain, whatever the
 * detail setting (the {@code /probe?target=} endpoint).
 *
 * <p>Two sources fill the table: the checks this process runs ({@link #checked}: MX, SMTP, SPF and
 * DMARC figures) and the store ({@link #drift}: status, last check, open changes), so approvals made
 * from the command line and checks run by another daemon on a shared store show here too.
 */
public final class DomainMetrics {
  /** Exchanges exported per domain; a longer MX set is cut (its size is still exported). */
  static final int MAX_EXCHANGES = 50;
  /** A domain is overdue when not checked for three intervals, and at least this long. */
  static final Duration OVERDUE_AT_LEAST = Duration.ofMinutes(15);

  /** Exchange names that may become label values: host names as DNS returns them, lowercased. */
  private static final Pattern HOST = Pattern.compile("[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9_])?");
  private static final String[] STATUS = {"ok", "warning", "critical", "unknown"};
  private static final Severity[] SEVERITIES = Severity.values();

  private final Map<String, Entry> domains = new ConcurrentHashMap<>();
  private volatile DomainSeries detail = DomainSeries.PROBLEMS;
  private volatile int maxDetailed = Integer.MAX_VALUE;

  DomainMetrics() {}

  /**
   * Which domains get per-domain series from now on, and how many at most: past that, the worst
   * are kept (critical and unknown first, then by open changes) and the rest only counted, so that
   * an outage of many domains at once does not make the scrape too large to take.
   */
  public void detail(DomainSeries detail, int maxDetailed) {
    this.detail = detail;
    this.maxDetailed = maxDetailed;
  }

  /**
   * Sets the watched domains with their check intervals: new ones get an entry (watched from
   * {@code now}), the ones no longer watched lose theirs and stop being exported.
   */
  public synchronized void watch(Map<String, Duration> intervals, Instant now) {
    domains.keySet().retainAll(intervals.keySet());
    intervals.forEach((name, interval) -> domains.computeIfAbsent(name, n -> new Entry(n, now.toEpochMilli())).intervalMs = interval.toMillis());
  }

  /** The figures of a check of {@code domain} this process ran at {@code at}. */
  public void checked(String domain, CheckFigures figures, Instant at) {
    Entry e = domains.get(domain);
    if (e != null) {
      e.checked(figures, at.toEpochMilli());
    }
  }

  /** The store's figures of {@code domain}; older than what is known already (by version) they are ignored. */
  public void drift(String domain, DriftFigures figures) {
    Entry e = domains.get(domain);
    if (e != null) {
      e.drift(figures);
    }
  }

  /** When {@code domain} was last checked, by any daemon (only ever moves forward). */
  public void lastCheck(String domain, Instant at) {
    Entry e = domains.get(domain);
    if (e != null && at != null) {
      synchronized (e) {
        e.lastCheck = Math.max(e.lastCheck, at.toEpochMilli());
      }
    }
  }

  /**
   * The drift-state version {@code domain}'s figures were read at: -1 when never read, null when
   * the domain is not watched.
   */
  public Long version(String domain) {
    Entry e = domains.get(domain);
    return e == null ? null : e.version;
  }

  /** Open changes of {@code domain} as last known; 0 when unknown. */
  public int open(String domain) {
    Entry e = domains.get(domain);
    return e == null ? 0 : e.openInfo + e.openWarning + e.openCritical;
  }

  /** Whether {@code name} may be a label value (host names only, never arbitrary DNS text). */
  static boolean labelSafe(String name) {
    return HOST.matcher(name).matches();
  }

  /** The aggregates over every domain, then the per-domain series of those the detail setting picks. */
  void write(Exposition out, Instant now) throws IOException {
    long t = now.toEpochMilli();
    List<Entry> all = new ArrayList<>(domains.values());
    DomainSeries d = detail;
    List<View> detailed = new ArrayList<>();
    for (Entry e : all) {
      if (d == DomainSeries.ALL || d == DomainSeries.PROBLEMS && e.problem(t)) {
        detailed.add(e.view());
      }
    }
    int left = 0;
    if (detailed.size() > maxDetailed) {
      detailed.sort(WORST_FIRST);
      left = detailed.size() - maxDetailed;
      detailed = new ArrayList<>(detailed.subList(0, maxDetailed));
    }
    detailed.sort(Comparator.comparing(View::name));
    writeAggregates(out, all, detailed.size(), left, t);
    writeDomains(out, detailed, t);
  }

  /**
   * Every per-domain series of {@code domain}, whatever the detail setting.
   *
   * @return false when the domain is not watched
   */
  boolean writeDomain(Exposition out, String domain, Instant now) throws IOException {
    Entry e = domains.get(domain);
    if (e == null) {
      return false;
    }
    writeDomains(out, List.of(e.view()), now.toEpochMilli());
    return true;
  }

  /** The order of statuses worst first, by status code (ok, warning, critical, unknown, unchecked). */
  private static final int[] STATUS_RANK = {3, 2, 0, 1, 4};

  /** Critical, then unknown, warning, ok; then the most open critical and warning changes; then by name. */
  private static final Comparator<View> WORST_FIRST =
      Comparator.comparingInt((View v) -> STATUS_RANK[v.status() < 0 ? 4 : v.status()])
          .thenComparing(v -> -v.open()[2])
          .thenComparing(v -> -v.open()[1])
          .thenComparing(View::name);

  private static void writeAggregates(Exposition out, List<Entry> all, int detailed, int left, long now) throws IOException {
    int[] byStatus = new int[5];
    int[] open = new int[3];
    int[] domainsOpen = new int[3];
    int failing = 0;
    int allDown = 0;
    int primaryDown = 0;
    int exchanges = 0;
    int exchangesDown = 0;
    int overdue = 0;
    int[] dmarc = new int[4];
    int[] mtaSts = new int[4];
    int[] dnssec = new int[3];
    int certExpiring = 0;
    int daneMismatch = 0;
    int nsInconsistent = 0;
    double expiringBefore = (now + CERT_EXPIRING.toMillis()) / 1000.0;
    for (Entry e : all) {
      synchronized (e) {
        byStatus[e.status < 0 ? 4 : e.status]++;
        int[] o = {e.openInfo, e.openWarning, e.openCritical};
        for (int i = 0; i < 3; i++) {
          open[i] += o[i];
          domainsOpen[i] += o[i] > 0 ? 1 : 0;
        }
        failing += e.failing ? 1 : 0;
        overdue += e.overdue(now) ? 1 : 0;
        if (e.checked) {
          if (e.exchanges > 0 && e.reachable == 0) {
            allDown++;
          }
          if (e.primaryReachable == 0 && e.reachable > 0) {
            primaryDown++;
          }
          if (!Float.isNaN(e.exchanges)) {
            exchanges += (int) e.exchanges;
          }
          if (!Float.isNaN(e.reachable)) {
            exchangesDown += (int) (e.exchanges - e.reachable);
          }
          if (!Float.isNaN(e.dmarcPolicy)) {
            dmarc[(int) e.dmarcPolicy + 1]++;
          }
          if (!Float.isNaN(e.mtaStsMode)) {
            mtaSts[(int) e.mtaStsMode + 1]++;
          }
          if (!Float.isNaN(e.dnssecStatus)) {
            dnssec[(int) e.dnssecStatus + 1]++;
          }
          if (e.nameserversConsistent == 0) {
            nsInconsistent++;
          }
          for (Exchange x : e.exchangeFigures) {
            if (!Double.isNaN(x.certNotAfter()) && x.certNotAfter() < expiringBefore) {
              certExpiring++;
            }
            if (x.daneMatch() == 0) {
              daneMismatch++;
            }
          }
        }
      }
    }
    out.gauge(prom(MetricNames.DOMAINS), "Watched domains by status (unchecked: not checked yet).", "status");
    for (int i = 0; i < STATUS.length; i++) {
      out.sample(byStatus[i], STATUS[i]);
    }
    out.sample(byStatus[4], "unchecked");
    out.gauge(prom(MetricNames.OPEN_CHANGES), "Open (confirmed, not approved) changes and expectation mismatches over all domains, by severity.", "severity");
    for (int i = 0; i < 3; i++) {
      out.sample(open[i], SEVERITIES[i].label());
    }
    out.gauge(prom(MetricNames.DOMAINS_WITH_OPEN_CHANGES), "Domains with at least one open change of the severity.", "severity");
    for (int i = 0; i < 3; i++) {
      out.sample(domainsOpen[i], SEVERITIES[i].label());
    }
    out.gauge(prom(MetricNames.DOMAINS_DNS_FAILING), "Domains whose lookups have failed for the confirmations in a row (DNS_LOOKUP_FAILING).");
    out.sample(failing);
    out.gauge(prom(MetricNames.DOMAINS_ALL_EXCHANGES_DOWN), "Domains none of whose exchanges greeted with 220 at their latest check by this process.");
    out.sample(allDown);
    out.gauge(prom(MetricNames.DOMAINS_PRIMARY_EXCHANGES_DOWN), "Domains whose lowest-preference exchanges are down while a backup greets.");
    out.sample(primaryDown);
    out.gauge(prom(MetricNames.EXCHANGES), "Exchanges over all domains checked by this process.");
    out.sample(exchanges);
    out.gauge(prom(MetricNames.EXCHANGES_DOWN), "Of those, exchanges with no address that greeted with 220.");
    out.sample(exchangesDown);
    out.gauge(prom(MetricNames.DOMAINS_OVERDUE), "Domains not checked for three of their intervals (and at least 15 minutes).");
    out.sample(overdue);
    out.gauge(prom(MetricNames.DOMAINS_DMARC_POLICY), "Domains by DMARC policy at their latest check by this process (missing: no valid record).", "policy");
    String[] policies = {"missing", "none", "quarantine", "reject"};
    for (int i = 0; i < policies.length; i++) {
      out.sample(dmarc[i], policies[i]);
    }
    out.gauge(prom(MetricNames.DOMAINS_MTA_STS_MODE), "Domains by the mode of their MTA-STS policy at their latest check by this process (missing: no valid policy).", "mode");
    String[] modes = {"missing", "none", "testing", "enforce"};
    for (int i = 0; i < modes.length; i++) {
      out.sample(mtaSts[i], modes[i]);
    }
    out.gauge(prom(MetricNames.EXCHANGES_CERT_EXPIRING), "Exchanges serving a certificate that expires within 14 days, or has expired, at their latest check by this process.");
    out.sample(certExpiring);
    out.gauge(prom(MetricNames.DOMAINS_DNSSEC), "Domains by the DNSSEC validation of their MX answer at their latest check by this process (not counted: not validated, or indeterminate).", "status");
    String[] validations = {"bogus", "insecure", "secure"};
    for (int i = 0; i < validations.length; i++) {
      out.sample(dnssec[i], validations[i]);
    }
    out.gauge(prom(MetricNames.EXCHANGES_DANE_MISMATCH), "Exchanges with secure TLSA records that an address does not match (or that lack STARTTLS): DANE senders refuse them.");
    out.sample(daneMismatch);
    out.gauge(prom(MetricNames.DOMAINS_NAMESERVERS_INCONSISTENT), "Domains whose nameservers disagreed on MX, SPF, DMARC or the SOA serial at their latest check by this process.");
    out.sample(nsInconsistent);
    out.gauge(prom(MetricNames.DOMAINS_DETAILED), "Domains with per-domain series in this exposition (metrics.domain_series).");
    out.sample(detailed);
    out.gauge(prom(MetricNames.DOMAINS_NOT_DETAILED), "Domains that needed per-domain series but were left out by metrics.max_detailed_domains.");
    out.sample(left);
  }

  /** The per-domain and per-exchange families, each family's samples together. */
  private static void writeDomains(Exposition out, List<View> domains, long now) throws IOException {
    out.gauge(prom(MetricNames.DOMAIN_STATUS), "The domain's status: 0 ok, 1 warning, 2 critical, 3 unknown (a lookup failed).", "domain");
    for (View e : domains) {
      out.sample(e.status() < 0 ? Double.NaN : e.status(), e.name());
    }
    out.gauge(prom(MetricNames.DOMAIN_LAST_CHECK, "seconds"), "When the domain was last checked.", "domain");
    for (View e : domains) {
      out.sample(seconds(e.lastCheck()), e.name());
    }
    out.gauge(prom(MetricNames.DOMAIN_CHECK_INTERVAL, "seconds"), "How often the domain is checked (for a cron schedule: the time between its next two runs).", "domain");
    for (View e : domains) {
      out.sample(e.intervalMs() / 1000.0, e.name());
    }
    out.gauge(prom(MetricNames.DOMAIN_LAST_CHANGE, "seconds"), "When the latest change of the domain was confirmed; NaN when none was.", "domain");
    for (View e : domains) {
      out.sample(seconds(e.lastChange()), e.name());
    }
    out.gauge(prom(MetricNames.DOMAIN_DNS_FAILING), "1 while lookups of the domain have failed for the confirmations in a row (DNS_LOOKUP_FAILING), else 0.", "domain");
    for (View e : domains) {
      out.sample(e.version() < 0 ? Double.NaN : e.failing() ? 1 : 0, e.name());
    }
    out.gauge(prom(MetricNames.DOMAIN_DRIFT_OPEN), "Open (confirmed, not approved) changes and expectation mismatches of the domain, by severity.", "domain", "severity");
    for (View e : domains) {
      int[] o = e.open();
      for (int i = 0; i < 3; i++) {
        out.sample(e.version() < 0 ? Double.NaN : o[i], e.name(), SEVERITIES[i].label());
      }
    }
    out.gauge(prom(MetricNames.DOMAIN_FINDINGS), "Audit findings of the domain's latest check, by severity.", "domain", "severity");
    for (View e : domains) {
      int[] f = e.findings();
      for (int i = 0; i < 3; i++) {
        out.sample(e.checked() ? f[i] : Double.NaN, e.name(), SEVERITIES[i].label());
      }
    }
    checkFamily(out, domains, prom(MetricNames.DOMAIN_CHECK_DURATION, "seconds"), "How long the domain's latest check took.", View::duration);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_MX_RECORDS), "MX records of the domain (a null MX counts as one, the implicit MX as none).", View::mxRecords);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_EXCHANGES), "Exchanges mail for the domain can be delivered to.", View::exchangeCount);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_EXCHANGES_REACHABLE), "Exchanges of the domain with an address that greeted with 220.", View::reachable);
    checkFamily(
        out, domains, prom(MetricNames.DOMAIN_PRIMARY_EXCHANGES_REACHABLE), "Exchanges of the lowest preference with an address that greeted with 220.", View::primaryReachable);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_SPF_LOOKUPS), "DNS-querying SPF terms over the include tree (RFC 7208 limit: 10); NaN without SPF.", View::spfLookups);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_DMARC_POLICY), "The DMARC policy: -1 no valid record, 0 none, 1 quarantine, 2 reject.", View::dmarcPolicy);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_MTA_STS_MODE), "The MTA-STS mode: -1 no valid policy, 0 none, 1 testing, 2 enforce; NaN when the policy could not be fetched.", View::mtaStsMode);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_MTA_STS_UNCOVERED), "Exchanges no mx pattern of the MTA-STS policy covers (senders refuse them in enforce mode); NaN without a policy.", View::mtaStsUncovered);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_NAMESERVERS), "Nameserver addresses of the domain's zone asked; NaN when they were not asked.", View::nameservers);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_NAMESERVERS_ANSWERING), "Of those, the ones that answered every question with authority.", View::nameserversAnswering);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_NAMESERVERS_CONSISTENT), "1 when the answering nameservers agree on MX, SPF, DMARC and the SOA serial, 0 when not; NaN when fewer than two answered.", View::nameserversConsistent);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_SOA_SERIAL_SPREAD), "The newest SOA serial less the oldest among the answering nameservers (a secondary behind); NaN when none answered.", View::serialSpread);
    checkFamily(out, domains, prom(MetricNames.DOMAIN_DNSSEC_STATUS), "The DNSSEC validation of the MX answer: 1 secure, 0 insecure, -1 bogus; NaN when indeterminate or not validated.", View::dnssecStatus);
    out.gauge(prom(MetricNames.DOMAIN_DKIM_KEY_BITS), "The size of the DKIM key of each configured selector in bits: 0 without a usable key (missing, revoked, unusable); NaN when its lookup failed.", "domain", "selector");
    for (View e : domains) {
      for (int i = 0; i < e.dkimSelectors().length; i++) {
        out.sample(e.dkimBits()[i], e.name(), e.dkimSelectors()[i]);
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_UP), "1 when an address of the exchange greeted with 220, else 0.", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.up(), e.name(), x.name());
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_GREETING_LATENCY, "seconds"), "Connect plus 220 greeting of the exchange's fastest address; NaN when none greeted.", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.greetingSeconds(), e.name(), x.name());
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_PREFERENCE), "The MX preference of the exchange (lower is tried first).", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.preference(), e.name(), x.name());
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_CERT_NOT_AFTER, "seconds"),
        "When the first certificate the exchange's addresses serve expires, kept after it did (a time in the past); NaN without a TLS handshake.", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.certNotAfter(), e.name(), x.name());
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_DANE_MATCH), "1 when every address of the exchange serves a chain its TLSA records match, 0 when one does not (or lacks STARTTLS); NaN when DANE is not in effect.", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.daneMatch(), e.name(), x.name());
      }
    }
    out.gauge(prom(MetricNames.EXCHANGE_TLS_VERSION), "The oldest TLS version a sender's handshake with the exchange's addresses negotiated (1.2, 1.3); NaN without one.", "domain", "exchange");
    for (View e : domains) {
      for (Exchange x : e.exchanges()) {
        out.sample(x.tlsVersion(), e.name(), x.name());
      }
    }
  }

  private interface Figure {
    float of(View e);
  }

  private static void checkFamily(Exposition out, List<View> domains, String name, String help, Figure figure) throws IOException {
    out.gauge(name, help, "domain");
    for (View e : domains) {
      out.sample(e.checked() ? figure.of(e) : Double.NaN, e.name());
    }
  }

  /** The Prometheus name of a gauge: the dotted name with '_', and the unit suffix. */
  static String prom(String dotted, String unit) {
    return dotted.replace('.', '_') + "_" + unit;
  }

  static String prom(String dotted) {
    return dotted.replace('.', '_');
  }

  private static double seconds(long epochMillis) {
    return epochMillis == Entry.NEVER ? Double.NaN : epochMillis / 1000.0;
  }

  /** One domain's figures as one scrape renders them. */
  private record View(
      String name,
      long intervalMs,
      long version,
      byte status,
      boolean failing,
      int[] open,
      long lastCheck,
      long lastChange,
      boolean checked,
      float duration,
      float mxRecords,
      float exchangeCount,
      float reachable,
      float primaryReachable,
      float spfLookups,
      float dmarcPolicy,
      float mtaStsMode,
      float mtaStsUncovered,
      float dnssecStatus,
      int[] findings,
      List<Exchange> exchanges,
      String[] dkimSelectors,
      float[] dkimBits,
      float nameservers,
      float nameserversAnswering,
      float nameserversConsistent,
      float serialSpread) {}

  /**
   * One exchange of a domain at its latest check here: up is 1, 0, or NaN when not probed;
   * certNotAfter in epoch seconds, NaN without a handshake.
   */
  private record Exchange(String name, int preference, float up, float greetingSeconds, double certNotAfter, float tlsVersion, float daneMatch) {}

  /** An exchange whose certificate expires sooner is counted as expiring (TLS_CERT_EXPIRING's warning). */
  static final Duration CERT_EXPIRING = Duration.ofDays(14);

  /** One watched domain; its fields are guarded by itself. */
  private static final class Entry {
    static final long NEVER = Long.MIN_VALUE;
    private static final Exchange[] NONE = new Exchange[0];
    private static final String[] NO_SELECTORS = new String[0];
    private static final float[] NO_BITS = new float[0];

    final String name;
    final long watchedSince;
    volatile long intervalMs;
    // from the store, or from a check recorded by this process
    long version = -1;
    byte status = -1;
    boolean failing;
    int openInfo;
    int openWarning;
    int openCritical;
    long lastCheck = NEVER;
    long lastChange = NEVER;
    // from this process's latest check of the domain
    boolean checked;
    float duration;
    float mxRecords;
    float exchanges;
    float reachable;
    float primaryReachable;
    float spfLookups;
    float dmarcPolicy;
    float mtaStsMode = Float.NaN;
    float mtaStsUncovered = Float.NaN;
    float dnssecStatus = Float.NaN;
    String[] dkimSelectors = NO_SELECTORS;
    float[] dkimBits = NO_BITS;
    float nameservers = Float.NaN;
    float nameserversAnswering = Float.NaN;
    float nameserversConsistent = Float.NaN;
    float serialSpread = Float.NaN;
    short findingsInfo;
    short findingsWarning;
    short findingsCritical;
    Exchange[] exchangeFigures = NONE;

    Entry(String name, long watchedSince) {
      this.name = name;
      this.watchedSince = watchedSince;
    }

    synchronized void checked(CheckFigures f, long at) {
      checked = true;
      lastCheck = Math.max(lastCheck, at);
      duration = (float) f.durationSeconds();
      mxRecords = (float) f.mxRecords();
      exchanges = (float) f.exchanges();
      reachable = (float) f.reachable();
      primaryReachable = (float) f.primaryReachable();
      spfLookups = (float) f.spfLookups();
      dmarcPolicy = (float) f.dmarcPolicy();
      mtaStsMode = (float) f.mtaStsMode();
      mtaStsUncovered = (float) f.mtaStsUncovered();
      dnssecStatus = (float) f.dnssecStatus();
      dkim(f.dkimBits());
      nameservers = (float) f.nameservers();
      nameserversAnswering = (float) f.nameserversAnswering();
      nameserversConsistent = (float) f.nameserversConsistent();
      serialSpread = (float) f.serialSpread();
      findingsInfo = (short) (int) f.findings().getOrDefault(Severity.INFO, 0);
      findingsWarning = (short) (int) f.findings().getOrDefault(Severity.WARNING, 0);
      findingsCritical = (short) (int) f.findings().getOrDefault(Severity.CRITICAL, 0);
      Map<String, CheckFigures.Exchange> figures = f.exchangeFigures();
      Exchange[] now = new Exchange[Math.min(figures.size(), MAX_EXCHANGES)];
      int n = 0;
      for (Map.Entry<String, CheckFigures.Exchange> x : figures.entrySet()) {
        String known = sameName(x.getKey()); // a name seen before was found safe then
        if (n < now.length && (known != null || labelSafe(x.getKey()))) {
          CheckFigures.Exchange v = x.getValue();
          now[n++] = new Exchange(known != null ? known : x.getKey(), v.preference(), (float) v.up(), (float) v.greetingSeconds(), v.certNotAfter(), (float) v.tlsVersion(), (float) v.daneMatch());
        }
      }
      if (n < now.length) {
        now = java.util.Arrays.copyOf(now, n);
      }
      if (n > 1) {
        java.util.Arrays.sort(now, Comparator.comparing(Exchange::name));
      }
      exchangeFigures = now;
    }

    /** The key size per selector (configured names: bounded and valid label values), sorted by selector. */
    private void dkim(Map<String, Double> bits) {
      if (bits.isEmpty()) {
        dkimSelectors = NO_SELECTORS;
        dkimBits = NO_BITS;
        return;
      }
      String[] selectors = bits.keySet().stream().sorted().toArray(String[]::new);
      float[] sizes = new float[selectors.length];
      for (int i = 0; i < selectors.length; i++) {
        sizes[i] = bits.get(selectors[i]).floatValue();
      }
      if (!java.util.Arrays.equals(selectors, dkimSelectors)) {
        dkimSelectors = selectors; // a repeated check keeps the names it holds
      }
      dkimBits = sizes;
    }

    /** The name as already held when it is the same (a repeated check keeps no second copy); null when new. */
    private String sameName(String name) {
      for (Exchange x : exchangeFigures) {
        if (x.name().equals(name)) {
          return x.name();
        }
      }
      return null;
    }

    synchronized void drift(DriftFigures f) {
      if (f.version() < version) {
        return;
      }
      version = f.version();
      status = Double.isNaN(f.status()) ? -1 : (byte) f.status();
      failing = f.failing();
      openInfo = f.open().getOrDefault(Severity.INFO, 0);
      openWarning = f.open().getOrDefault(Severity.WARNING, 0);
      openCritical = f.open().getOrDefault(Severity.CRITICAL, 0);
      if (f.lastCheck() != null) {
        lastCheck = Math.max(lastCheck, f.lastCheck().toEpochMilli());
      }
      if (f.lastChange() != null) {
        lastChange = Math.max(lastChange, f.lastChange().toEpochMilli());
      }
    }

    synchronized View view() {
      return new View(
          name,
          intervalMs,
          version,
          status,
          failing,
          new int[] {openInfo, openWarning, openCritical},
          lastCheck,
          lastChange,
          checked,
          duration,
          mxRecords,
          exchanges,
          reachable,
          primaryReachable,
          spfLookups,
          dmarcPolicy,
          mtaStsMode,
          mtaStsUncovered,
          dnssecStatus,
          new int[] {findingsInfo, findingsWarning, findingsCritical},
          List.of(exchangeFigures),
          dkimSelectors,
          dkimBits,
          nameservers,
          nameserversAnswering,
          nameserversConsistent,
          serialSpread);
    }

    /** Not checked for three intervals (at least 15 minutes), counting from when it was first watched. */
    boolean overdue(long now) {
      long since = lastCheck == NEVER ? watchedSince : lastCheck;
      return now - since > Math.max(3 * intervalMs, OVERDUE_AT_LEAST.toMillis());
    }

    /** Whether the default detail setting exports the domain's series. */
    synchronized boolean problem(long now) {
      return status >= 2
          || openWarning + openCritical > 0
          || failing
          || overdue(now)
          || checked && !Float.isNaN(reachable) && (reachable < exchanges || primaryReachable == 0 && exchanges > 0);
    }
  }

  /**
   * The watched domains by status ({@code unchecked}: no check recorded yet) and their open changes
   * by severity, as the aggregates of a scrape count them: for the overview page.
   */
  public record Summary(Map<String, Integer> byStatus, Map<Severity, Integer> openBySeverity) {
    public Summary {
      byStatus = Map.copyOf(byStatus);
      openBySeverity = Map.copyOf(openBySeverity);
    }
  }

  public Summary summary() {
    Map<String, Integer> byStatus = new java.util.HashMap<>();
    int[] open = new int[SEVERITIES.length];
    for (Entry e : domains.values()) {
      synchronized (e) {
        byStatus.merge(e.status < 0 ? "unchecked" : STATUS[e.status], 1, Integer::sum);
        open[Severity.INFO.ordinal()] += e.openInfo;
        open[Severity.WARNING.ordinal()] += e.openWarning;
        open[Severity.CRITICAL.ordinal()] += e.openCritical;
      }
    }
    Map<Severity, Integer> bySeverity = new java.util.EnumMap<>(Severity.class);
    for (Severity s : SEVERITIES) {
      bySeverity.put(s, open[s.ordinal()]);
    }
    return new Summary(byStatus, bySeverity);
  }

  /**
   * What this process's latest check of a domain showed (NaN for what it could not tell); null when
   * this process has not checked it.
   *
   * @param dmarcPolicy -1 no valid record, 0 none, 1 quarantine, 2 reject
   */
  public record Figures(float exchanges, float reachable, float dmarcPolicy, float spfLookups) {}

  public Figures figures(String domain) {
    Entry e = domains.get(domain);
    if (e == null) {
      return null;
    }
    synchronized (e) {
      return e.checked ? new Figures(e.exchanges, e.reachable, e.dmarcPolicy, e.spfLookups) : null;
    }
  }

  /** For tests: the names of the domains in the table. */
  Set<String> watched() {
    return Set.copyOf(domains.keySet());
  }
}
