package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Expectations;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.drift.Observation;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.store.Database;
import io.mxwatch.store.Stores;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.Http;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon inside the JVM: Quartz fires the checks, the in-JVM DNS server's zones change between
 * them, the store keeps what the drift engine decided.
 */
class DaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE).zone("other.test", ZONE).zone("third.test", ZONE);
  private Daemon daemon;

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  private MxwatchConfig config(String domains) throws Exception {
    return new ConfigLoader()
        .parse(
            """
            dns:
              resolvers: ["%s"]
              timeout: 400ms
              retries: 0
            smtp:
              enabled: false
            check:
              deadline: 2s
            defaults:
              interval: 1s
              confirmations: 2
            store:
              data_dir: %s
            http:
              listen: 127.0.0.1:0
            domains: %s
            """
                .formatted("127.0.0.1:" + f.dns.port(), dir.resolve("data"), domains),
            "test.yaml");
  }

  private HistoryStore store() {
    return daemon.store();
  }

  private boolean learned(String domain) {
    return store().load(domain).state().baseline() != null;
  }

  private List<String> eventCodes(String domain) {
    return store().events(domain, Instant.EPOCH).stream().map(HistoryStore.StoredEvent::code).toList();
  }

  @Test
  void scheduledChecksLearnABaselineReportARemovedExchangeAndAnAckResolvesIt() throws Exception {
    daemon = Daemon.start(config("[" + DOMAIN + "]"), null, new Wiring(Clock.systemUTC()), Clock.systemUTC());
    Await.until("the baseline of " + DOMAIN, WAIT, () -> learned(DOMAIN));
    assertThat(eventCodes(DOMAIN)).isEmpty();

    f.dns.replace(DOMAIN, ZONE.replace("@        MX 20 mx2\n", ""));
    HistoryStore.StoredEvent removed =
        Await.value(
            "MX_REMOVED to be confirmed",
            WAIT,
            () -> store().events(DOMAIN, Instant.EPOCH).stream().filter(e -> e.code().equals("MX_REMOVED")).findFirst().orElse(null));
    assertThat(removed.subject()).isEqualTo("mx2.example.test");
    assertThat(removed.before()).isEqualTo("20 mx2.example.test");
    assertThat(removed.after()).isEqualTo("absent");
    assertThat(removed.confirmedAt()).isAfter(removed.detectedAt());
    DriftEngine engine = new DriftEngine(2);
    assertThat(engine.open(store().load(DOMAIN).state(), Expectations.NONE)).isNotEmpty();

    // the audit finding that came with it (one exchange left) is a change of its own
    assertThat(eventCodes(DOMAIN)).containsExactlyInAnyOrder("MX_REMOVED", "MX_SINGLE_HOST");
    store().approve(DOMAIN, "alice", "mx2 retired", Instant.now());
    assertThat(engine.open(store().load(DOMAIN).state(), Expectations.NONE)).isEmpty();
    long seenBefore = store().snapshots(DOMAIN, Instant.EPOCH).getLast().seenCount();
    Await.until("more checks after the ack", WAIT, () -> store().snapshots(DOMAIN, Instant.EPOCH).getLast().seenCount() > seenBefore + 1);
    assertThat(engine.open(store().load(DOMAIN).state(), Expectations.NONE)).isEmpty();
    assertThat(eventCodes(DOMAIN)).as("nothing new after the ack").containsExactlyInAnyOrder("MX_REMOVED", "MX_SINGLE_HOST");
    assertThat(store().snapshots(DOMAIN, Instant.EPOCH)).as("one row per distinct state").hasSize(2);
  }

  @Test
  void reloadStartsWatchingAddedDomainsStopsRemovedOnesAndKeepsTheirHistory() throws Exception {
    daemon = Daemon.start(config("[" + DOMAIN + ", other.test]"), null, new Wiring(Clock.systemUTC()), Clock.systemUTC());
    Await.until("both domains checked", WAIT, () -> learned(DOMAIN) && learned("other.test"));

    daemon.reload(config("[other.test, third.test]"));
    assertThat(daemon.scheduler().scheduledDomains()).containsExactly("other.test", "third.test");
    Await.until("the added domain checked", WAIT, () -> learned("third.test"));
    assertThat(store().load(DOMAIN).version()).as("history of the removed domain stays").isPositive();
    // repeated checks reach the store in batches every few seconds: wait past a batch each time
    Instant reloaded = Instant.now();
    Await.until("other.test checked after the reload", WAIT, () -> lastChecked("other.test").isAfter(reloaded.plusSeconds(6)));
    Instant removed = lastChecked(DOMAIN);
    Instant later = Instant.now();
    Await.until("other.test checked again, seconds later", WAIT, () -> lastChecked("other.test").isAfter(later.plusSeconds(6)));
    assertThat(lastChecked(DOMAIN)).as("the removed domain is no longer checked").isEqualTo(removed);
  }

  private Instant lastChecked(String domain) {
    HistoryStore.Overview o = store().overview(domain);
    return o == null || o.lastCheckedAt() == null ? Instant.EPOCH : o.lastCheckedAt();
  }

  @Test
  void aResolverTimingOutForManyChecksRaisesLookupFailingAndNeverARemoval() throws Exception {
    daemon = Daemon.start(config("[" + DOMAIN + "]"), null, new Wiring(Clock.systemUTC()), Clock.systemUTC());
    Await.until("the baseline of " + DOMAIN, WAIT, () -> learned(DOMAIN));
    f.dns.fault(q -> true, new io.mxwatch.testing.TestDnsServer.Fault.Drop());
    Await.until("DNS_LOOKUP_FAILING", WAIT, () -> eventCodes(DOMAIN).contains("DNS_LOOKUP_FAILING"));
    Instant raised = lastChecked(DOMAIN);
    Await.until("more failing checks", WAIT, () -> lastChecked(DOMAIN).isAfter(raised.plusSeconds(3)));
    assertThat(eventCodes(DOMAIN)).containsExactly("DNS_LOOKUP_FAILING");
    assertThat(store().overview(DOMAIN).lastStatus()).isEqualTo("unknown");
  }

  @Test
  void aDomainWhoseStateChangesOnEveryCheckIsFoundChurningWithoutAChangeAndTheFindingClearsADayLater() throws Exception {
    MxwatchConfig config = config("[" + DOMAIN + "]");
    AheadClock clock = new AheadClock();
    // the last five hours: as many distinct states as a day keeps (another DMARC report address each)
    try (Database db = Stores.open(config.store())) {
      HistoryStore seeded = new HistoryStore(db.dataSource());
      DriftEngine engine = new DriftEngine(2);
      for (int i = 0; i < HistoryStore.CHURN_LIMIT; i++) {
        f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=reject; rua=mailto:r" + i + "@example.test"));
        Snapshot s = f.snapshot(DOMAIN);
        Instant at = clock.instant().minus(Duration.ofHours(5)).plus(Duration.ofMinutes(5L * i));
        Snapshot then = new Snapshot(s.domain(), at, s.durationMs(), s.mx(), s.spf(), s.dmarc(), s.smtpProbed(), s.smtp(), s.lookups(), s.transport());
        CheckResult check = new CheckResult(then, new Auditor().audit(then));
        HistoryStore.Loaded loaded = seeded.load(DOMAIN);
        Observation seen = Observation.of(check);
        DriftEngine.Step step = engine.step(loaded.state(), seen, Expectations.NONE, at);
        assertThat(seeded.record(DOMAIN, loaded.version(), check, seen, step, 0)).isNotNull();
      }
    }
    f.dns.replace(DOMAIN, ZONE);
    daemon = Daemon.start(config, null, new Wiring(clock), clock);
    Http http = new Http(daemon.httpAddress());
    String info = "mxwatch_domain_findings{domain=\"" + DOMAIN + "\",severity=\"info\"}";
    java.util.function.Supplier<Double> infoFindings = () -> Http.samples(http.get("/probe?target=" + DOMAIN).body()).getOrDefault(info, -1.0);

    HistoryStore.StoredCheck latest =
        Await.value(
            "the daemon's state in place of the latest snapshot",
            WAIT,
            () -> {
              HistoryStore.StoredCheck c = store().latestCheck(DOMAIN);
              return c != null && c.checkJson().contains("RECORDS_CHURNING") ? c : null;
            });
    assertThat(store().snapshots(DOMAIN, Instant.EPOCH)).as("no more snapshots than a day keeps").hasSize(HistoryStore.CHURN_LIMIT);
    assertThat(latest.checkJson()).contains("\"severity\":\"info\"");
    assertThat(latest.status()).as("the finding tells of the history, not of the routing").isEqualTo("ok");
    assertThat(http.samples()).containsEntry("mxwatch_snapshots_replaced_total", 1.0);
    // the daemon's later checks of the domain carry it too (they repeat the state: nothing stored)
    Instant firstChurn = store().latestCheck(DOMAIN).firstSeen();
    Await.until("a later check", WAIT, () -> lastChecked(DOMAIN).isAfter(firstChurn) && infoFindings.get() == 1.0);
    assertThat(eventCodes(DOMAIN)).as("churn is no change of the domain: nothing to page about").isEmpty();

    clock.ahead = HistoryStore.CHURN_WINDOW.plusHours(1);
    Await.until("the finding gone a day after the churn", WAIT, () -> infoFindings.get() == 0.0);
    assertThat(eventCodes(DOMAIN)).isEmpty();
  }

  @Test
  void nameserversThatDisagreeAreAChangeInProgressThenCriticalWhenItLasts() throws Exception {
    String zone = "@ SOA ns1 hostmaster 2 3600 600 86400 300\n" + ZONE;
    List<io.mxwatch.testing.TestDnsServer> ns = f.nameservers(null, zone, zone.replace(" 2 3600 ", " 1 3600 ").replace("@        MX 20 mx2\n", ""));
    MxwatchConfig config =
        new ConfigLoader()
            .parse(
                """
                dns: {resolvers: ["127.0.0.1:%d"], timeout: 400ms, retries: 0}
                smtp: {enabled: false, deny: []}
                check: {deadline: 3s, authoritative: true, nameserver_port: %d, inconsistent_after: 10m}
                defaults: {interval: 1s, confirmations: 2}
                store: {data_dir: %s}
                http: {listen: 127.0.0.1:0}
                domains: [%s]
                """
                    .formatted(f.dns.port(), ns.getFirst().port(), dir.resolve("data"), DOMAIN),
                "test.yaml");
    AheadClock clock = new AheadClock();
    daemon = Daemon.start(config, null, new Wiring(clock), clock);
    Await.until("the baseline of " + DOMAIN, WAIT, () -> learned(DOMAIN));
    assertThat(store().load(DOMAIN).state().confirmed().findings())
        .as("learned while the change propagates: in progress, a warning")
        .anySatisfy(x -> {
          assertThat(x.code()).isEqualTo("NS_INCONSISTENT_MX");
          assertThat(x.severity()).isEqualTo(io.mxwatch.audit.Severity.WARNING);
        });

    clock.ahead = Duration.ofMinutes(11);
    HistoryStore.StoredEvent worse =
        Await.value(
            "NS_INCONSISTENT_MX made critical",
            WAIT,
            () -> store().events(DOMAIN, Instant.EPOCH).stream().filter(e -> e.code().equals("NS_INCONSISTENT_MX")).findFirst().orElse(null));
    assertThat(worse.severity()).isEqualTo("critical");
    assertThat(worse.before()).startsWith("warning: the nameservers disagree");
    assertThat(worse.after()).startsWith("critical: the nameservers disagree").contains("for over 10m").contains("not propagating");
    assertThat(store().latestCheck(DOMAIN).checkJson()).as("in the daemon, how long a secondary has been behind").contains("(1 behind) (behind since ");

    ns.get(2).replace(DOMAIN, zone); // the secondary catches up
    HistoryStore.StoredEvent cleared =
        Await.value(
            "the inconsistency cleared",
            WAIT,
            () -> store().events(DOMAIN, Instant.EPOCH).stream().filter(e -> e.code().equals("NS_INCONSISTENT_MX") && e.after().equals("cleared")).findFirst().orElse(null));
    assertThat(cleared.note())
        .as("when all nameservers served it, and by when caches have it")
        .startsWith("10 mx1.example.test, 20 mx2.example.test served by all 2 nameservers since ")
        .contains("; every resolver's cache has it by ")
        .endsWith("(the old records' TTL, 300 s)");
  }

  /** The system clock, or as far ahead of it as the test sets: time runs, and a day can pass at once. */
  private static final class AheadClock extends Clock {
    volatile Duration ahead = Duration.ZERO;

    @Override
    public Instant instant() {
      return Instant.now().plus(ahead);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
