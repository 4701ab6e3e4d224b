package io.mxwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Severity;
import io.mxwatch.config.MxwatchConfig.DomainSeries;
import io.mxwatch.testing.Http;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What /metrics and /probe export of the domain table, by the domain_series setting. */
class DomainMetricsTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private final Metrics metrics = new Metrics(Clock.fixed(NOW, ZoneOffset.UTC));
  private final DomainMetrics domains = metrics.domains();

  private static CheckFigures figures(int exchanges, int reachable, int primaryReachable, double dmarc) {
    Map<String, CheckFigures.Exchange> x = new HashMap<>();
    for (int i = 1; i <= exchanges; i++) {
      x.put("mx" + i + ".example.test", new CheckFigures.Exchange(10 * i, i <= reachable ? 1 : 0, i <= reachable ? 0.01 : Double.NaN));
    }
    return new CheckFigures(0.05, exchanges, exchanges, reachable, primaryReachable, Map.of(Severity.WARNING, exchanges - reachable), 1, dmarc, Double.NaN, Double.NaN, Double.NaN, x);
  }

  private void fill() {
    Map<String, Duration> intervals = new HashMap<>();
    for (String d : List.of("ok.test", "down.test", "open.test", "failing.test", "never.test")) {
      intervals.put(d, Duration.ofMinutes(5));
    }
    domains.watch(intervals, NOW.minusSeconds(60));
    domains.checked("ok.test", figures(2, 2, 1, 2), NOW.minusSeconds(10));
    domains.drift("ok.test", DriftFigures.of(3, io.mxwatch.audit.Status.OK, NOW.minusSeconds(10), List.of(), false, null));
    domains.checked("down.test", figures(2, 0, 0, 1), NOW.minusSeconds(10));
    domains.drift("down.test", DriftFigures.of(3, io.mxwatch.audit.Status.CRITICAL, NOW.minusSeconds(10), List.of(), false, null));
    domains.checked("open.test", figures(2, 2, 1, -1), NOW.minusSeconds(10));
    domains.drift(
        "open.test",
        DriftFigures.of(
            5, io.mxwatch.audit.Status.WARNING, NOW.minusSeconds(10), List.of(new io.mxwatch.drift.Change("MX_REMOVED", Severity.CRITICAL, "mx3.open.test", "30 mx3", "absent")), false, NOW.minusSeconds(100)));
    domains.drift("failing.test", DriftFigures.of(7, io.mxwatch.audit.Status.UNKNOWN, NOW.minusSeconds(10), List.of(), true, null));
  }

  @Test
  void aggregatesCountEveryDomainAndPerDomainSeriesAreForProblemsOnly() {
    fill();
    Map<String, Double> s = Http.samples(metrics.scrape(Metrics.TEXT_FORMAT));
    assertThat(s).containsEntry("mxwatch_domains{status=\"ok\"}", 1.0)
        .containsEntry("mxwatch_domains{status=\"warning\"}", 1.0)
        .containsEntry("mxwatch_domains{status=\"critical\"}", 1.0)
        .containsEntry("mxwatch_domains{status=\"unknown\"}", 1.0)
        .containsEntry("mxwatch_domains{status=\"unchecked\"}", 1.0)
        .containsEntry("mxwatch_open_changes{severity=\"critical\"}", 1.0)
        .containsEntry("mxwatch_domains_with_open_changes{severity=\"critical\"}", 1.0)
        .containsEntry("mxwatch_domains_dns_lookup_failing", 1.0)
        .containsEntry("mxwatch_domains_all_exchanges_down", 1.0)
        .containsEntry("mxwatch_exchanges", 6.0)
        .containsEntry("mxwatch_exchanges_down", 2.0)
        .containsEntry("mxwatch_domains_dmarc_policy{policy=\"reject\"}", 1.0)
        .containsEntry("mxwatch_domains_dmarc_policy{policy=\"missing\"}", 1.0)
        .containsEntry("mxwatch_domains_overdue", 0.0)
        .containsEntry("mxwatch_domains_detailed", 3.0);
    assertThat(s).containsEntry("mxwatch_domain_status{domain=\"down.test\"}", 2.0)
        .containsEntry("mxwatch_exchange_up{domain=\"down.test\",exchange=\"mx1.example.test\"}", 0.0)
        .containsEntry("mxwatch_domain_drift_open{domain=\"open.test\",severity=\"critical\"}", 1.0)
        .containsEntry("mxwatch_domain_dns_lookup_failing{domain=\"failing.test\"}", 1.0);
    assertThat(s.keySet()).as("ok and never-checked domains only in the aggregates").noneMatch(k -> k.contains("ok.test") || k.contains("never.test"));
  }

  @Test
  void dkimKeySizesArePerConfiguredSelector() {
    domains.watch(Map.of("keys.test", Duration.ofMinutes(5)), NOW.minusSeconds(60));
    CheckFigures f = figures(1, 1, 1, 2);
    Map<String, Double> bits = new HashMap<>();
    bits.put("s2026", 2048.0);
    bits.put("old", 0.0);
    bits.put("lost", Double.NaN);
    domains.checked("keys.test", new CheckFigures(f.durationSeconds(), f.mxRecords(), f.exchanges(), f.reachable(), f.primaryReachable(), f.findings(),
        f.spfLookups(), f.dmarcPolicy(), f.mtaStsMode(), f.mtaStsUncovered(), f.dnssecStatus(), f.exchangeFigures(), bits), NOW.minusSeconds(10));
    domains.drift("keys.test", DriftFigures.of(3, io.mxwatch.audit.Status.CRITICAL, NOW.minusSeconds(10), List.of(), false, null));
    Map<String, Double> s = Http.samples(metrics.scrape(Metrics.TEXT_FORMAT));
    assertThat(s).containsEntry("mxwatch_domain_dkim_key_bits{domain=\"keys.test\",selector=\"s2026\"}", 2048.0)
        .containsEntry("mxwatch_domain_dkim_key_bits{domain=\"keys.test\",selector=\"old\"}", 0.0);
    assertThat(s.get("mxwatch_domain_dkim_key_bits{domain=\"keys.test\",selector=\"lost\"}")).isNaN();
  }

  @Test
  void allExportsEveryDomainNoneNoDomainAndAProbeAlwaysOne() throws Exception {
    fill();
    domains.detail(DomainSeries.ALL, 10_000);
    assertThat(Http.samples(metrics.scrape(Metrics.TEXT_FORMAT))).containsKey("mxwatch_domain_status{domain=\"ok.test\"}").containsEntry("mxwatch_domains_detailed", 5.0);
    domains.detail(DomainSeries.NONE, 10_000);
    Map<String, Double> none = Http.samples(metrics.scrape(Metrics.TEXT_FORMAT));
    assertThat(none.keySet()).noneMatch(k -> k.startsWith("mxwatch_domain_") || k.startsWith("mxwatch_exchange_"));
    assertThat(none).containsEntry("mxwatch_domains{status=\"critical\"}", 1.0);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(metrics.probe("ok.test", Metrics.TEXT_FORMAT, out)).isTrue();
    Map<String, Double> probe = Http.samples(out.toString(StandardCharsets.UTF_8));
    assertThat(probe).containsEntry("mxwatch_domain_status{domain=\"ok.test\"}", 0.0)
        .containsEntry("mxwatch_exchange_up{domain=\"ok.test\",exchange=\"mx2.example.test\"}", 1.0)
        .containsEntry("mxwatch_domain_last_check_timestamp_seconds{domain=\"ok.test\"}", NOW.minusSeconds(10).getEpochSecond() * 1.0);
    assertThat(probe.keySet()).allMatch(k -> k.contains("domain=\"ok.test\""));
    assertThat(metrics.probe("nothing.test", Metrics.TEXT_FORMAT, new ByteArrayOutputStream())).isFalse();
  }

  @Test
  void pastTheLimitTheWorstProblemsKeepTheirSeriesAndTheRestAreCounted() {
    fill();
    domains.detail(DomainSeries.PROBLEMS, 2);
    Map<String, Double> s = Http.samples(metrics.scrape(Metrics.TEXT_FORMAT));
    assertThat(s).containsEntry("mxwatch_domains_detailed", 2.0).containsEntry("mxwatch_domains_not_detailed", 1.0);
    assertThat(s).as("critical and unknown before an open change of a warning domain")
        .containsKey("mxwatch_domain_status{domain=\"down.test\"}")
        .containsKey("mxwatch_domain_status{domain=\"failing.test\"}")
        .doesNotContainKey("mxwatch_domain_status{domain=\"open.test\"}");
  }

  @Test
  void openMetricsHasItsEndMarkerOnceAtTheEnd() {
    fill();
    String text = metrics.scrape(Metrics.OPENMETRICS_FORMAT);
    assertThat(text).endsWith("# EOF\n").containsOnlyOnce("# EOF");
    assertThat(text).contains("# TYPE mxwatch_domains gauge");
  }

  @Test
  void aDomainNotCheckedForThreeIntervalsIsOverdueAndExported() {
    domains.watch(Map.of("late.test", Duration.ofMinutes(5), "fresh.test", Duration.ofMinutes(5)), NOW.minus(Duration.ofHours(1)));
    domains.lastCheck("late.test", NOW.minus(Duration.ofMinutes(16)));
    domains.lastCheck("fresh.test", NOW.minus(Duration.ofMinutes(4)));
    Map<String, Double> s = Http.samples(metrics.scrape(Metrics.TEXT_FORMAT));
    assertThat(s).containsEntry("mxwatch_domains_overdue", 1.0).containsKey("mxwatch_domain_last_check_timestamp_seconds{domain=\"late.test\"}");
    assertThat(s.keySet()).noneMatch(k -> k.contains("fresh.test"));
  }

  @Test
  void aHundredThousandHealthyDomainsMakeASmallScrapeAndASmallTable() {
    Map<String, Duration> intervals = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      intervals.put(("d" + i + ".example.net").intern(), Duration.ofMinutes(5));
    }
    long before = heapAfterGc();
    domains.watch(intervals, NOW);
    CheckFigures healthy = figures(2, 2, 1, 2);
    for (int i = 0; i < 100_000; i++) {
      domains.checked("d" + i + ".example.net", healthy, NOW);
    }
    long retained = heapAfterGc() - before;
    assertThat(retained).as("heap the table of 100,000 checked domains holds (names excepted)").isLessThan(40L * 1024 * 1024);
    String text = metrics.scrape(Metrics.TEXT_FORMAT);
    assertThat(text.length()).as("a default scrape at 100,000 healthy domains").isLessThan(200_000);
    assertThat(Http.samples(text)).containsEntry("mxwatch_domains{status=\"unchecked\"}", 100_000.0).containsEntry("mxwatch_exchanges", 200_000.0);
    assertThat(intervals).hasSize(100_000); // the names stay reachable: only the table is measured
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
