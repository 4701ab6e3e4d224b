package io.mxwatch.store;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Expectations;
import io.mxwatch.drift.Observation;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Run in a child JVM by {@link KillNineTest}: records checks of a domain whose DMARC record
 * flips every few checks, printing "recorded N" after each commit, until it is killed.
 */
public final class CrashChild {
  public static void main(String[] args) {
    String zone = HistoryStoreTest.ZONE;
    try (CheckFixture f = new CheckFixture().zone(HistoryStoreTest.DOMAIN, zone).withoutSmtp().withoutIpv6();
        Database db = Database.open(Database.h2Url(Path.of(args[0])), "sa", "")) {
      HistoryStore store = new HistoryStore(db.dataSource());
      DriftEngine engine = new DriftEngine(2);
      Instant clock = CheckFixture.NOW;
      for (long n = 1; ; n++) {
        if (n % 3 == 0) {
          f.dns.replace(HistoryStoreTest.DOMAIN, (n / 3) % 2 == 0 ? zone : zone.replace("p=reject", "p=none"));
        }
        Snapshot s = f.snapshot(HistoryStoreTest.DOMAIN);
        clock = clock.plus(Duration.ofMinutes(1));
        s = new Snapshot(s.domain(), clock, s.durationMs(), s.mx(), s.spf(), s.dmarc(), s.smtpProbed(), s.smtp(), s.lookups());
        CheckResult check = new CheckResult(s, new Auditor().audit(s));
        HistoryStore.Loaded loaded = store.load(HistoryStoreTest.DOMAIN);
        Observation o = Observation.of(check);
        store.record(HistoryStoreTest.DOMAIN, loaded.version(), check, o, engine.step(loaded.state(), o, Expectations.NONE, clock), 0);
        System.out.println("recorded " + n);
        System.out.flush();
      }
    }
  }
}
