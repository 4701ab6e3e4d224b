package io.mxwatch.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.config.DomainPattern;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Expectations;
import io.mxwatch.drift.Observation;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's list of domains: configured ones never checked merged in name order with those the
 * store has (also those no longer configured), filtered, and paged with a cursor that never skips
 * or repeats a domain.
 */
class DomainListingTest {
  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().withoutSmtp().withoutIpv6();
  private Database db;
  private HistoryStore store;
  private MxwatchConfig config;
  private DomainListing listing;

  @BeforeEach
  void setUp() {
    // checked: a, c (an MX removed between two confirmed states: open change), e (no longer configured);
    // configured and never checked: b, d, f
    for (String d : List.of("a.test", "c.test", "e.test")) {
      f.zone(d, CheckFixture.TWO_EXCHANGES);
    }
    db = Database.open(Database.h2Url(dir), "sa", "");
    store = new HistoryStore(db.dataSource());
    DriftEngine engine = new DriftEngine(1);
    for (String d : List.of("a.test", "c.test", "e.test")) {
      record(engine, d);
    }
    f.dns.replace("c.test", CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    record(engine, "c.test");
    List<MxwatchConfig.Domain> watched = new ArrayList<>();
    for (String d : List.of("f.test", "a.test", "d.test", "c.test", "b.test")) {
      watched.add(new MxwatchConfig.Domain(d, new MxwatchConfig.Schedule.Every(Duration.ofMinutes(5)), 1, Expectations.NONE));
    }
    MxwatchConfig defaults = MxwatchConfig.defaults();
    config =
        new MxwatchConfig(
            defaults.dns(), defaults.smtp(), defaults.check(), new MxwatchConfig.Watch(defaults.watch().schedule(), 1, watched), defaults.store(),
            defaults.http(), defaults.metrics(), defaults.alerts());
    listing = new DomainListing(store, new Operations(store, new AlertStore(db.dataSource()), config, Clock.systemUTC()), config);
  }

  private void record(DriftEngine engine, String domain) {
    Snapshot s = f.snapshot(domain);
    CheckResult c = new CheckResult(s, new Auditor().audit(s));
    HistoryStore.Loaded loaded = store.load(domain);
    Observation o = Observation.of(c);
    DriftEngine.Step step = engine.step(loaded.state(), o, Expectations.NONE, s.checkedAt());
    store.record(domain, loaded.version(), c, o, step, engine.open(step.state(), Expectations.NONE).size());
  }

  @AfterEach
  void close() {
    db.close();
    f.close();
  }

  private List<DomainListing.Row> rows(Set<String> statuses, boolean open, String pattern, String after, int limit, String[] next) {
    List<DomainListing.Row> out = new ArrayList<>();
    next[0] = listing.list(new DomainListing.Query(statuses, open, pattern == null ? null : DomainPattern.parse(pattern), after, limit), out::add);
    return out;
  }

  @Test
  void everyDomainInNameOrderCheckedOrNotWatchedOrNot() {
    String[] next = new String[1];
    List<DomainListing.Row> all = rows(Set.of(), false, null, null, 100, next);
    assertThat(all).extracting(DomainListing.Row::domain).containsExactly("a.test", "b.test", "c.test", "d.test", "e.test", "f.test");
    assertThat(all).extracting(DomainListing.Row::watched).containsExactly(true, true, true, true, false, true);
    assertThat(all.get(1).status()).as("never checked").isNull();
    assertThat(all.get(2).open()).extracting(c -> c.code()).contains("MX_REMOVED");
    assertThat(next[0]).as("no further page").isNull();
  }

  @Test
  void pagesFollowEachOtherWithoutGapOrRepeat() {
    List<String> seen = new ArrayList<>();
    String[] next = new String[1];
    String after = null;
    int pages = 0;
    do {
      rows(Set.of(), false, null, after, 2, next).forEach(r -> seen.add(r.domain()));
      after = next[0];
      pages++;
    } while (after != null && pages < 10);
    assertThat(seen).containsExactly("a.test", "b.test", "c.test", "d.test", "e.test", "f.test");
  }

  @Test
  void filtersByStatusOpenChangesAndPattern() {
    String[] next = new String[1];
    assertThat(rows(Set.of("unchecked"), false, null, null, 100, next)).extracting(DomainListing.Row::domain).containsExactly("b.test", "d.test", "f.test");
    assertThat(rows(Set.of(), true, null, null, 100, next)).extracting(DomainListing.Row::domain).containsExactly("c.test");
    assertThat(rows(Set.of(), false, "c.test", null, 100, next)).extracting(DomainListing.Row::domain).containsExactly("c.test");
    String status = store.overview("a.test").lastStatus();
    assertThat(rows(Set.of(status, "unchecked"), false, null, null, 100, next)).extracting(DomainListing.Row::domain).contains("a.test", "b.test", "d.test", "f.test");
    assertThat(rows(Set.of("critical"), false, "*.nowhere.test", null, 100, next)).isEmpty();
    assertThatThrownBy(() -> new DomainListing.Query(Set.of("fine"), false, null, null, 10))
        .isInstanceOf(OperationException.class)
        .hasMessageContaining("'fine' is not a status");
  }
}
