package io.mxwatch.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DKIM keys in drift: a key published, replaced (both keys' sizes and digests shown) and removed,
 * each confirmed like any change; a selector added to the configuration is no change.
 */
class DkimDriftTest {
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;

  private final CheckFixture f = new CheckFixture().zone(DOMAIN, ZONE).withoutSmtp().withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private DriftState state = DriftState.INITIAL;
  private Instant clock = CheckFixture.NOW;
  private List<String> selectors = List.of("s1");

  @AfterEach
  void close() {
    f.close();
  }

  private List<Change> check() {
    Snapshot snapshot = f.snapshotter().takeAsync(DOMAIN, selectors).join();
    CheckResult result = new CheckResult(snapshot, new Auditor().audit(snapshot));
    clock = clock.plus(Duration.ofMinutes(5));
    DriftEngine.Step step = engine.step(state, Observation.of(result), Expectations.NONE, clock);
    state = step.state();
    return step.events().stream().map(DriftEngine.ChangeEvent::change).toList();
  }

  private List<Change> confirmed() {
    List<Change> all = new ArrayList<>(check());
    all.addAll(check());
    return all;
  }

  private static String key(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
  }

  private void publish(String selector, String record) {
    f.dns.replace(DOMAIN, ZONE + (record == null ? "" : TestDnsServer.txt(selector + "._domainkey", record)));
  }

  @Test
  void aKeyPublishedReplacedAndRemoved() throws Exception {
    publish("s1", "v=DKIM1; p=" + key(1024));
    assertThat(confirmed()).isEmpty();

    String next = key(2048);
    publish("s1", "v=DKIM1; p=" + next);
    assertThat(check()).as("seen once: not confirmed").isEmpty();
    List<Change> replaced = check();
    assertThat(replaced).filteredOn(c -> c.code().equals("DKIM_KEY_REPLACED")).singleElement().satisfies(c -> {
      assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.WARNING);
      assertThat(c.subject()).isEqualTo("s1._domainkey");
      assertThat(c.before()).startsWith("rsa 1024 bits, key ");
      assertThat(c.after()).startsWith("rsa 2048 bits, key ");
      assertThat(c.before()).isNotEqualTo(c.after());
    });
    assertThat(replaced).as("the weak key's finding cleared with it").anyMatch(c -> c.code().equals("DKIM_KEY_WEAK"));

    publish("s1", null);
    List<Change> removed = confirmed();
    assertThat(removed).filteredOn(c -> c.code().equals("DKIM_KEY_REMOVED")).singleElement().satisfies(c -> {
      assertThat(c.severity()).isEqualTo(io.mxwatch.audit.Severity.CRITICAL);
      assertThat(c.before()).startsWith("rsa 2048 bits");
      assertThat(c.after()).isEqualTo("missing");
    });
    assertThat(removed).anyMatch(c -> c.code().equals("DKIM_KEY_MISSING"));

    publish("s1", "v=DKIM1; p=" + next);
    assertThat(confirmed()).filteredOn(c -> c.code().equals("DKIM_KEY_ADDED")).singleElement().satisfies(c -> {
      assertThat(c.before()).isEqualTo("missing");
      assertThat(c.after()).startsWith("rsa 2048 bits");
    });
  }

  @Test
  void aRevokedKeyIsARemovalAndASelectorNewToTheConfigurationIsNoChange() throws Exception {
    publish("s1", "v=DKIM1; p=" + key(2048));
    assertThat(confirmed()).isEmpty();
    publish("s1", "v=DKIM1; p=");
    assertThat(confirmed()).extracting(Change::code).contains("DKIM_KEY_REMOVED", "DKIM_KEY_REVOKED");

    f.dns.replace(DOMAIN, ZONE + TestDnsServer.txt("s1._domainkey", "v=DKIM1; p=") + TestDnsServer.txt("s2._domainkey", "v=DKIM1; p=" + key(2048)));
    selectors = List.of("s1", "s2");
    assertThat(confirmed()).as("s2 was not watched before: nothing changed in the records").isEmpty();
  }

  @Test
  void aStateWithoutSelectorsKeepsItsFingerprint() {
    selectors = List.of();
    check();
    DomainState without = state.lastKnown();
    assertThat(without.dkim()).isEmpty();
    DomainState asStoredBefore =
        new DomainState(without.mx(), without.spf(), without.dmarc(), without.smtp(), without.findings(), without.tls(), without.mtaSts(), without.tlsa(),
            without.dnssec());
    assertThat(Fingerprint.of(new Observation(without, List.of()))).isEqualTo(Fingerprint.of(new Observation(asStoredBefore, List.of())));
  }
}
