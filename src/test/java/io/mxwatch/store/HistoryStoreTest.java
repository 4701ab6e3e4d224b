package io.mxwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DriftState;
import io.mxwatch.drift.Expectations;
import io.mxwatch.drift.Fingerprint;
import io.mxwatch.drift.Observation;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {
  static final String DOMAIN = CheckFixture.DOMAIN;
  static final String ZONE = CheckFixture.TWO_EXCHANGES;

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE).withoutSmtp().withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private Database db;
  private HistoryStore store;
  private Instant clock = CheckFixture.NOW;

  private HistoryStore open() {
    db = Database.open(Database.h2Url(dir), "sa", "");
    store = new HistoryStore(db.dataSource());
    return store;
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
    f.close();
  }

  private CheckResult realCheck() {
    Snapshot s = f.snapshot(DOMAIN);
    return new CheckResult(s, new Auditor().audit(s));
  }

  /** The same check again, later and with other latencies. */
  private CheckResult again(CheckResult check) {
    clock = clock.plus(Duration.ofMinutes(5));
    Snapshot s = check.snapshot();
    Snapshot later = new Snapshot(s.domain(), clock, s.durationMs() + 17.5, s.mx(), s.spf(), s.dmarc(), s.smtpProbed(), s.smtp(), s.lookups(), s.transport());
    return new CheckResult(later, check.audit());
  }

  private DriftEngine.Step record(CheckResult check) {
    HistoryStore.Loaded loaded = store.load(DOMAIN);
    Observation observation = Observation.of(check);
    DriftEngine.Step step = engine.step(loaded.state(), observation, Expectations.NONE, check.snapshot().checkedAt());
    assertThat(store.record(DOMAIN, loaded.version(), check, observation, step, engine.open(step.state(), Expectations.NONE).size())).isNotNull();
    return step;
  }

  @Test
  void aThousandChecksOfAnUnchangedDomainKeepOneSnapshotRow() {
    open();
    CheckResult first = realCheck();
    for (int i = 0; i < 1000; i++) {
      record(again(first));
    }
    assertThat(store.snapshots(DOMAIN, Instant.EPOCH))
        .singleElement()
        .satisfies(s -> {
          assertThat(s.seenCount()).isEqualTo(1000);
          assertThat(s.firstSeen()).isEqualTo(CheckFixture.NOW.plus(Duration.ofMinutes(5)));
          assertThat(s.lastSeen()).isEqualTo(clock);
        });
    assertThat(store.events(DOMAIN, Instant.EPOCH)).isEmpty();
    assertThat(store.load(DOMAIN).state().baseline()).isNotNull();
  }

  @Test
  void aDomainWhoseRecordsChangeOnEveryCheckKeepsABoundedNumberOfSnapshotsADay() {
    open();
    record(again(realCheck()));
    record(again(realCheck())); // the baseline
    for (int i = 0; i < 100; i++) { // 100 checks 5 minutes apart, each seeing another DMARC record
      f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=reject; rua=mailto:r" + i + "@example.test"));
      record(again(realCheck()));
    }
    List<HistoryStore.StoredSnapshot> kept = store.snapshots(DOMAIN, Instant.EPOCH);
    assertThat(kept).hasSize(HistoryStore.CHURN_LIMIT);
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=reject; rua=mailto:one-more@example.test"));
    CheckResult oneMore = again(realCheck());
    HistoryStore.Loaded loaded = store.load(DOMAIN);
    Observation seen = Observation.of(oneMore);
    DriftEngine.Step step = engine.step(loaded.state(), seen, Expectations.NONE, oneMore.snapshot().checkedAt());
    assertThat(store.record(DOMAIN, loaded.version(), oneMore, seen, step, 0).churning()).as("told to the caller").isTrue();
    assertThat(store.latestCheck(DOMAIN).checkJson()).as("the state that replaced the latest says so").contains("\"code\":\"RECORDS_CHURNING\"");
    kept = store.snapshots(DOMAIN, Instant.EPOCH);
    assertThat(kept).hasSize(HistoryStore.CHURN_LIMIT);
    assertThat(kept.getLast().firstSeen()).as("the latest holds the newest state").isEqualTo(clock);
    assertThat(kept.getLast().contentHash().strip()).isEqualTo(Fingerprint.of(Observation.of(realCheck())).hex());

    // a change confirmed now keeps its snapshot: the next new state does not replace it
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    CheckResult weakened = realCheck();
    record(again(weakened));
    record(again(weakened));
    assertThat(store.events(DOMAIN, Instant.EPOCH)).extracting(HistoryStore.StoredEvent::code).contains("DMARC_POLICY_WEAKENED");
    String confirmedIn = store.snapshots(DOMAIN, Instant.EPOCH).getLast().contentHash();
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=quarantine"));
    record(again(realCheck()));
    List<HistoryStore.StoredSnapshot> after = store.snapshots(DOMAIN, Instant.EPOCH);
    assertThat(after).hasSize(HistoryStore.CHURN_LIMIT + 1);
    assertThat(after.get(after.size() - 2).contentHash()).isEqualTo(confirmedIn);
  }

  @Test
  void aChangeAddsARowAndItsConfirmedEventsWithBeforeAndAfter() {
    open();
    record(again(realCheck()));
    record(again(realCheck()));
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    CheckResult changed = realCheck();
    record(again(changed));
    record(again(changed));
    assertThat(store.snapshots(DOMAIN, Instant.EPOCH)).hasSize(2);
    assertThat(store.events(DOMAIN, Instant.EPOCH))
        .extracting(HistoryStore.StoredEvent::code, HistoryStore.StoredEvent::before, HistoryStore.StoredEvent::after)
        .contains(org.assertj.core.groups.Tuple.tuple("DMARC_POLICY_WEAKENED", "v=DMARC1; p=reject", "v=DMARC1; p=none"));
    HistoryStore.StoredEvent e = store.events(DOMAIN, Instant.EPOCH).getFirst();
    assertThat(e.detectedAt()).isBefore(e.confirmedAt());
  }

  @Test
  void approvalMakesTheConfirmedStateTheBaselineAndIsRecorded() {
    open();
    record(again(realCheck()));
    record(again(realCheck()));
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=quarantine"));
    CheckResult changed = realCheck();
    record(again(changed));
    record(again(changed));
    assertThat(engine.open(store.load(DOMAIN).state(), Expectations.NONE)).isNotEmpty();

    DriftState approved = store.approve(DOMAIN, "alice", "planned DMARC rollout", clock);
    assertThat(engine.open(approved, Expectations.NONE)).isEmpty();
    assertThat(engine.open(store.load(DOMAIN).state(), Expectations.NONE)).isEmpty();
  }

  @Test
  void anApprovalOfTheStateShownRefusesAChangeConfirmedSinceAndApprovesNothing() {
    open();
    record(again(realCheck()));
    record(again(realCheck()));
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=quarantine"));
    CheckResult quarantine = realCheck();
    record(again(quarantine));
    record(again(quarantine));
    DriftState shown = store.load(DOMAIN).state();
    String token = io.mxwatch.ops.Operations.ackToken(shown);
    record(again(quarantine)); // the same state again: still what was shown
    assertThat(io.mxwatch.ops.Operations.ackToken(store.load(DOMAIN).state())).isEqualTo(token);
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    CheckResult none = realCheck();
    record(again(none));
    record(again(none)); // p=none confirmed after the operator looked

    assertThatThrownBy(() -> store.approve(DOMAIN, "alice", "saw quarantine", clock, null, shown.confirmed()))
        .isInstanceOf(HistoryStore.StateMoved.class)
        .hasMessageContaining("nothing approved");
    assertThat(store.load(DOMAIN).state().baseline()).as("the baseline is untouched").isEqualTo(shown.baseline());
    assertThat(io.mxwatch.ops.Operations.ackToken(store.load(DOMAIN).state())).isNotEqualTo(token);
    DriftState current = store.load(DOMAIN).state();
    assertThat(engine.open(store.approve(DOMAIN, "alice", "saw none", clock, null, current.confirmed()), Expectations.NONE)).isEmpty();
  }

  @Test
  void aChangeWhoseSubjectIsLongerThanItsColumnIsRecordedCut() {
    open();
    CheckResult check = again(realCheck());
    HistoryStore.Loaded loaded = store.load(DOMAIN);
    Observation observation = Observation.of(check);
    DriftEngine.Step step = engine.step(loaded.state(), observation, Expectations.NONE, check.snapshot().checkedAt());
    String banner = "mx1.example.test 127.0.0.2:25 " + "220 " + "x".repeat(5000);
    io.mxwatch.drift.Change change = new io.mxwatch.drift.Change("SMTP_BANNER_CHANGED", io.mxwatch.audit.Severity.INFO, banner, "a", "b");
    DriftEngine.Step withLongSubject = new DriftEngine.Step(step.state(), List.of(new DriftEngine.ChangeEvent(change, clock, clock)));

    assertThat(store.record(DOMAIN, loaded.version(), check, observation, withLongSubject, 0)).as("recorded, not failed").isNotNull();

    String stored = store.events(DOMAIN, Instant.EPOCH).getFirst().subject();
    assertThat(stored).hasSize(HistoryStore.MAX_SUBJECT).startsWith("mx1.example.test 127.0.0.2:25 220 xxx").endsWith("…");
  }

  @Test
  void changeEventsOlderThanTheirRetentionAreDeletedNewerOnesStay() {
    open();
    record(again(realCheck()));
    record(again(realCheck()));
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    CheckResult none = realCheck();
    record(again(none));
    record(again(none));
    Instant firstChange = clock;
    clock = clock.plus(Duration.ofDays(10));
    f.dns.replace(DOMAIN, ZONE);
    CheckResult back = realCheck();
    record(again(back));
    record(again(back));
    int before = store.events(DOMAIN, Instant.EPOCH).size();

    int deleted = store.purgeEventsBefore(firstChange.plus(Duration.ofDays(1)));

    assertThat(deleted).isPositive();
    assertThat(store.events(DOMAIN, Instant.EPOCH)).hasSize(before - deleted).allMatch(e -> e.confirmedAt().isAfter(firstChange.plus(Duration.ofDays(1))));
  }

  @Test
  void aCheckRecordedAgainstAStaleVersionIsRefusedAndWritesNothing() {
    open();
    record(again(realCheck()));
    record(again(realCheck()));
    HistoryStore.Loaded stale = store.load(DOMAIN);
    store.approve(DOMAIN, "bob", "fine as it is", clock);
    CheckResult check = again(realCheck());
    Observation o = Observation.of(check);
    DriftEngine.Step step = engine.step(stale.state(), o, Expectations.NONE, clock);
    assertThat(store.record(DOMAIN, stale.version(), check, o, step, 0)).isNull();
    assertThat(store.snapshots(DOMAIN, Instant.EPOCH).getFirst().seenCount()).isEqualTo(2);
  }

  @Test
  void approvingADomainNeverCheckedSaysSo() {
    open();
    assertThatThrownBy(() -> store.approve("never.test", "carol", "x", clock))
        .isInstanceOf(StoreException.class)
        .hasMessage("cannot approve never.test: it has no confirmed state yet");
  }

  @Test
  void historyOutlivesTheProcessAndRetentionKeepsTheLatest() {
    open();
    record(again(realCheck()));
    f.dns.replace(DOMAIN, ZONE.replace("p=reject", "p=none"));
    record(again(realCheck()));
    db.close();

    open(); // migrations run again: nothing to do, data still there
    assertThat(store.snapshots(DOMAIN, Instant.EPOCH)).hasSize(2);
    assertThat(store.purgeSnapshotsBefore(clock.plusSeconds(1))).isEqualTo(1);
    assertThat(store.snapshots(DOMAIN, Instant.EPOCH)).singleElement().extracting(HistoryStore.StoredSnapshot::lastSeen).isEqualTo(clock);
  }

  @Test
  void aStoreOfTheVersionBeforeKeepsItsDriftStatesWhenTheyMoveToTheirOwnTable() throws Exception {
    String url = Database.h2Url(dir);
    org.flywaydb.core.Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("5").load().migrate();
    CheckResult check = realCheck();
    DriftEngine.Step step = engine.step(DriftState.INITIAL, Observation.of(check), Expectations.NONE, check.snapshot().checkedAt());
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
      try (java.sql.PreparedStatement m = c.prepareStatement("INSERT INTO domain (name, added_at) VALUES (?, ?)")) {
        Jdbc.bind(m, DOMAIN, Jdbc.time(clock));
        m.executeUpdate();
      }
      try (java.sql.PreparedStatement ins = c.prepareStatement("INSERT INTO drift_state (domain, state, version, last_status) VALUES (?, ?, 3, 'ok')")) {
        Jdbc.bind(ins, DOMAIN, Jdbc.json(step.state()));
        ins.executeUpdate();
      }
    }

    open(); // migrates to the newest version
    HistoryStore.Loaded loaded = store.load(DOMAIN);
    assertThat(loaded.version()).isEqualTo(3);
    assertThat(loaded.state()).isEqualTo(step.state());
    assertThat(store.versions()).containsEntry(DOMAIN, 3L);
    DriftEngine.Step next = record(again(check)); // written to the new table
    assertThat(store.load(DOMAIN).version()).isEqualTo(4);
    assertThat(store.load(DOMAIN).state()).isEqualTo(next.state());
  }

  @Test
  void theSchemaVersionThatSkipsFlywayIsTheNewestMigration() throws Exception {
    int newest = 0;
    try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
      for (Path p : files.toList()) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("V(\\d+)__.*\\.sql").matcher(p.getFileName().toString());
        if (m.matches()) {
          newest = Math.max(newest, Integer.parseInt(m.group(1)));
        }
      }
    }
    assertThat(Database.SCHEMA_VERSION).isEqualTo(String.valueOf(newest));
  }

  @Test
  void anUnopenableDatabaseIsAClearError() {
    assertThatThrownBy(() -> Database.open("jdbc:h2:file:" + dir.resolve("no/such/../../x") + ";IFEXISTS=TRUE;PASSWORD=secret", "sa", ""))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("cannot open the database jdbc:h2:file:")
        .hasMessageContaining("PASSWORD=***")
        .hasMessageNotContaining("secret");
  }
}
