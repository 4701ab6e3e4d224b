package io.mxwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.config.DomainPattern;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Expectations;
import io.mxwatch.drift.Observation;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's paths for many domains: repeated checks written in batches, checks recorded in
 * groups, listings filtered and paged in the database, versions read for a whole window.
 */
class StoreAtRateTest {
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().withoutSmtp().withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private Database db;
  private HistoryStore store;
  private Instant clock = CheckFixture.NOW;

  @BeforeEach
  void open() {
    for (String d : List.of("a.test", "b.test", "c.example.test", "d.test")) {
      f.zone(d, ZONE);
    }
    db = Database.open(Database.h2Url(dir), "sa", "");
    store = new HistoryStore(db.dataSource());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
    f.close();
  }

  private CheckResult check(String domain) {
    clock = clock.plus(Duration.ofMinutes(1));
    Snapshot s = f.snapshot(domain);
    s = new Snapshot(s.domain(), clock, s.durationMs(), s.mx(), s.spf(), s.dmarc(), s.smtpProbed(), s.smtp(), s.lookups());
    return new CheckResult(s, new Auditor().audit(s));
  }

  private HistoryStore.Recording recording(String domain) {
    CheckResult c = check(domain);
    HistoryStore.Loaded loaded = store.load(domain);
    Observation o = Observation.of(c);
    DriftEngine.Step step = engine.step(loaded.state(), o, Expectations.NONE, c.snapshot().checkedAt());
    return new HistoryStore.Recording(domain, loaded.version(), c, o, step, engine.open(step.state(), Expectations.NONE).size());
  }

  @Test
  void repeatedChecksAreCountedOnTheirSnapshotInOneBatchAndMoveTheLastCheck() {
    HistoryStore.Recording r = recording("a.test");
    HistoryStore.Recorded first = store.record(r.domain(), r.version(), r.check(), r.observation(), r.step(), r.openChanges());
    assertThat(first).isNotNull();
    RepeatedChecks repeats = new RepeatedChecks(db.dataSource());
    Instant last = null;
    for (int i = 0; i < 1000; i++) {
      last = clock = clock.plusSeconds(60);
      repeats.add("a.test", first.snapshotId(), last);
    }
    assertThat(repeats.pending()).as("one entry per domain, however many repeats").isEqualTo(1);
    assertThat(repeats.flush()).isEqualTo(1);
    assertThat(repeats.flush()).as("nothing left").isZero();
    HistoryStore.StoredSnapshot s = store.snapshots("a.test", Instant.EPOCH).getFirst();
    assertThat(s.seenCount()).isEqualTo(1001);
    assertThat(s.lastSeen()).isEqualTo(last);
    assertThat(store.overview("a.test").lastCheckedAt()).as("the last check is the latest repeat").isEqualTo(last);
    assertThat(store.load("a.test").version()).as("repeats never touch the drift state").isEqualTo(first.version());

    // a repeat older than what is stored never moves the last-seen time back
    repeats.add("a.test", first.snapshotId(), last.minusSeconds(3600));
    repeats.flush();
    assertThat(store.snapshots("a.test", Instant.EPOCH).getFirst().lastSeen()).isEqualTo(last);
  }

  @Test
  void aSmallBatchOfRepeatsIsWrittenAtOnceALargeOneWhenItsOldestHasWaited() {
    HistoryStore.Recording r = recording("a.test");
    HistoryStore.Recorded first = store.record(r.domain(), r.version(), r.check(), r.observation(), r.step(), r.openChanges());
    long[] now = {0};
    RepeatedChecks repeats = new RepeatedChecks(db.dataSource(), () -> now[0]);
    repeats.add("a.test", first.snapshotId(), clock.plusSeconds(60));
    assertThat(repeats.flushIfDue()).as("one domain waiting: written at the next tick").isEqualTo(1);

    for (int i = 0; i < RepeatedChecks.LARGE_BATCH; i++) {
      repeats.add(i == 0 ? "a.test" : "other-" + i + ".test", first.snapshotId(), clock.plusSeconds(120));
      now[0] += 1_000_000; // a millisecond between checks
    }
    assertThat(repeats.flushIfDue()).as("a large batch waits").isZero();
    assertThat(repeats.pending()).isEqualTo(RepeatedChecks.LARGE_BATCH);
    now[0] = RepeatedChecks.MAX_WAIT.toNanos() - 1;
    assertThat(repeats.flushIfDue()).as("its oldest has not waited long enough yet").isZero();
    now[0] = RepeatedChecks.MAX_WAIT.toNanos();
    assertThat(repeats.flushIfDue()).isEqualTo(RepeatedChecks.LARGE_BATCH);
    assertThat(repeats.pending()).isZero();
    assertThat(store.snapshots("a.test", Instant.EPOCH).getFirst().lastSeen()).isEqualTo(clock.plusSeconds(120));

    // the wait starts again with the next batch's first repeat
    for (int i = 0; i < RepeatedChecks.LARGE_BATCH; i++) {
      repeats.add("other-" + i + ".test", first.snapshotId(), clock.plusSeconds(180));
    }
    assertThat(repeats.flushIfDue()).isZero();
    assertThat(repeats.flush()).as("flush writes whatever waits (the daemon's stop)").isEqualTo(RepeatedChecks.LARGE_BATCH);
  }

  @Test
  void checksThatDifferOnlyInTheVolatilePartOfABannerShareOneSnapshot() {
    HistoryStore.Recording r = recording("a.test");
    long version = 0;
    for (String greeting : List.of("mx1 ESMTP 5b1f17b1804b1-47a8si.12 - gsmtp", "mx1 ESMTP 9c2e28c2915c2-58b9tj.34 - gsmtp")) {
      java.util.TreeMap<String, io.mxwatch.drift.DomainState.Smtp> smtp = new java.util.TreeMap<>();
      smtp.put("127.0.0.2", io.mxwatch.drift.DomainState.Smtp.of(true, greeting));
      io.mxwatch.drift.DomainState s = r.observation().state();
      Observation o = new Observation(new io.mxwatch.drift.DomainState(s.mx(), s.spf(), s.dmarc(), smtp, s.findings()), List.of());
      HistoryStore.Recorded done = store.record("a.test", version, r.check(), o, r.step(), 0);
      assertThat(done).isNotNull();
      version = done.version();
    }
    assertThat(store.snapshots("a.test", java.time.Instant.EPOCH)).singleElement().extracting(HistoryStore.StoredSnapshot::seenCount).isEqualTo(2L);
  }

  @Test
  void aGroupCommitRecordsManyChecksInOneTransactionAndABadOneFailsAlone() throws Exception {
    GroupCommit commits = new GroupCommit(store, Duration.ofMillis(50));
    try {
      List<CompletableFuture<HistoryStore.Recorded>> done = new ArrayList<>();
      for (String d : List.of("a.test", "b.test", "c.example.test")) {
        done.add(commits.submit(recording(d)));
      }
      // a domain name too long for the store's column: its insert fails, the others must not
      HistoryStore.Recording good = recording("d.test");
      HistoryStore.Recording bad =
          new HistoryStore.Recording("x".repeat(300) + ".test", 0, good.check(), good.observation(), good.step(), 0);
      CompletableFuture<HistoryStore.Recorded> failed = commits.submit(bad);
      done.add(commits.submit(good));
      for (CompletableFuture<HistoryStore.Recorded> d : done) {
        assertThat(d.get()).isNotNull();
      }
      assertThat(failed).failsWithin(Duration.ofSeconds(30));
      assertThat(store.versions(List.of("a.test", "b.test", "c.example.test", "d.test", "never.test")))
          .isEqualTo(Map.of("a.test", 1L, "b.test", 1L, "c.example.test", 1L, "d.test", 1L));
      // a recording against a version that moved is refused, with nothing written
      HistoryStore.Recording stale = recording("a.test");
      store.record(stale.domain(), stale.version(), stale.check(), stale.observation(), stale.step(), 0);
      assertThat(commits.submit(stale).get()).isNull();
    } finally {
      commits.close();
    }
  }

  @Test
  void listingsFilterByStatusOpenChangesAndPatternInNameOrderAndPage() {
    for (String d : List.of("d.test", "b.test", "c.example.test", "a.test")) {
      HistoryStore.Recording r = recording(d);
      store.record(r.domain(), r.version(), r.check(), r.observation(), r.step(), d.equals("b.test") ? 2 : 0);
    }
    assertThat(names(HistoryStore.Filter.ALL, null, 10)).containsExactly("a.test", "b.test", "c.example.test", "d.test");
    assertThat(names(HistoryStore.Filter.ALL, "b.test", 2)).as("a page after a name").containsExactly("c.example.test", "d.test");
    assertThat(names(new HistoryStore.Filter(Set.of(), true, null), null, 10)).as("open changes counted when written").containsExactly("b.test");
    assertThat(names(new HistoryStore.Filter(Set.of(), false, DomainPattern.parse("*.example.test")), null, 10)).containsExactly("c.example.test");
    assertThat(names(new HistoryStore.Filter(Set.of(), false, DomainPattern.parse("a.test")), null, 10)).containsExactly("a.test");
    String status = store.overview("a.test").lastStatus();
    assertThat(names(new HistoryStore.Filter(Set.of(status), false, null), null, 10)).hasSize(4);
    assertThat(names(new HistoryStore.Filter(Set.of("critical"), false, null), null, 10)).isEmpty();

    Instant before = store.now();
    HistoryStore.Recording again = recording("d.test");
    store.record(again.domain(), again.version(), again.check(), again.observation(), again.step(), 0);
    List<String> changed = new ArrayList<>();
    store.changedSince(before, row -> changed.add(row.domain()));
    assertThat(changed).containsExactly("d.test");
  }

  private List<String> names(HistoryStore.Filter filter, String after, int limit) {
    List<String> out = new ArrayList<>();
    store.list(filter, after, limit, row -> out.add(row.domain()));
    return out;
  }
}
