package io.mxwatch.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A change of the MX set as it spreads over the zone's nameservers: the confirmed change says
 * which already serve it, and when the last one does, the inconsistency clears with the moment all
 * served it and by when every resolver's cache has it.
 */
class PropagationTest {
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = "@ SOA ns1 hostmaster 1 3600 600 86400 300\n" + CheckFixture.TWO_EXCHANGES;
  private static final String REMOVED = ZONE.replace(" 1 3600 ", " 2 3600 ").replace("@        MX 20 mx2\n", "");

  private final CheckFixture f = new CheckFixture().withoutSmtp().withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private DriftState state = DriftState.INITIAL;
  private Instant clock = CheckFixture.NOW;
  private final List<DriftEngine.ChangeEvent> events = new ArrayList<>();

  @AfterEach
  void close() {
    f.close();
  }

  private void check() {
    Snapshot snapshot = f.snapshot(DOMAIN);
    clock = clock.plus(Duration.ofMinutes(5));
    DriftEngine.Step step = engine.step(state, Observation.of(new CheckResult(snapshot, new Auditor().audit(snapshot))), Expectations.NONE, clock);
    state = step.state();
    events.addAll(step.events());
  }

  private DriftEngine.ChangeEvent event(String code, String after) {
    return events.stream().filter(e -> e.change().code().equals(code) && (after == null || e.change().after().equals(after))).findFirst().orElseThrow();
  }

  @Test
  void anMxChangeSaysWhereItHasPropagatedAndWhenAllServeItByWhenCachesHaveIt() {
    List<TestDnsServer> ns = f.nameservers(null, ZONE, ZONE);
    f.zone(DOMAIN, ZONE);
    check();
    check();
    assertThat(state.baseline()).isNotNull();
    assertThat(state.agreedSince()).as("both nameservers agree from the first check").isEqualTo(CheckFixture.NOW.plus(Duration.ofMinutes(5)));
    assertThat(events).isEmpty();

    // the change made at the primary; the resolver already gives it; the secondary lags
    ns.get(1).replace(DOMAIN, REMOVED);
    f.dns.replace(DOMAIN, REMOVED);
    f.zone(DOMAIN, "@ NS ns1\n@ NS ns2\nns1 A 127.0.11.1\nns2 A 127.0.12.1\n");
    check();
    check();
    assertThat(event("NS_INCONSISTENT_MX", null).change().severity()).as("a change in progress").isEqualTo(io.mxwatch.audit.Severity.WARNING);
    assertThat(events).as("the MX set is in flux: no removal confirmed yet, however the resolver answers").noneMatch(e -> e.change().code().equals("MX_REMOVED"));
    assertThat(state.agreedSince()).isNull();

    ns.get(2).replace(DOMAIN, REMOVED);
    check();
    Instant allServe = clock;
    check();
    String note = "10 mx1.example.test served by all 2 nameservers since " + allServe + "; every resolver's cache has it by " + allServe.plusSeconds(300)
        + " (the old records' TTL, 300 s)";
    assertThat(event("MX_REMOVED", null).note()).isEqualTo(note);
    assertThat(event("NS_INCONSISTENT_MX", "cleared").note()).isEqualTo(note);
    assertThat(state.agreedSince()).isEqualTo(allServe);
  }

  @Test
  void aResolverThatFlapsBetweenOldAndNewWhileTheNameserversDisagreeConfirmsNothingButTheChangeInProgress() {
    List<TestDnsServer> ns = f.nameservers(null, ZONE, ZONE);
    f.zone(DOMAIN, ZONE);
    check();
    check();
    ns.get(1).replace(DOMAIN, REMOVED);
    String nsRecords = "@ NS ns1\n@ NS ns2\nns1 A 127.0.11.1\nns2 A 127.0.12.1\n";
    for (int i = 0; i < 6; i++) {
      f.dns.replace(DOMAIN, (i % 2 == 0 ? REMOVED : ZONE) + nsRecords); // the resolver asks one nameserver, then the other
      check();
    }
    assertThat(events).extracting(e -> e.change().code()).containsExactlyInAnyOrder("NS_INCONSISTENT_MX", "NS_SERIAL_DIFFERS");
  }

  @Test
  void withoutTheNameserversAskedThereIsNoNote() {
    f.zone(DOMAIN, ZONE);
    check();
    check();
    f.dns.replace(DOMAIN, REMOVED);
    check();
    check();
    assertThat(event("MX_REMOVED", null).note()).isNull();
    assertThat(state.agreedSince()).isNull();
  }
}
