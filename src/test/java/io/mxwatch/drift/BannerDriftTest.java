package io.mxwatch.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestSmtpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Banners that differ on every connection — a session ID, a clock, a numbered front-end behind
 * a load balancer — are no change: the domain still learns its baseline and still confirms real
 * changes. A different mail server is a change, shown with the greetings as sent.
 */
class BannerDriftTest {
  private static final String EHLO = "250-mx.example.test\r\n250 STARTTLS\r\n";
  private static final String GMAIL = "mx.google.com ESMTP 5b1f17b1804b1-47a8b5e83d2si%dwmb.%d - gsmtp";
  private static final String MICROSOFT =
      "%s.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at %s, %d Nov 2026 14:%02d:07 +0000";

  private final AtomicInteger connection = new AtomicInteger();
  private final CheckFixture f = new CheckFixture().zone(CheckFixture.DOMAIN, CheckFixture.TWO_EXCHANGES).withoutIpv6();
  private final DriftEngine engine = new DriftEngine(2);
  private DriftState state = DriftState.INITIAL;
  private Instant clock = CheckFixture.NOW;

  @AfterEach
  void close() {
    f.close();
  }

  private volatile IntFunction<String> greeting;

  /** From now on both exchanges greet with {@code next.apply(n)} on their n-th connection. */
  private void greet(IntFunction<String> next) {
    if (greeting == null) {
      TestSmtpServer.Behaviour b =
          (socket, commands) ->
              TestSmtpServer.conversation("220 " + greeting.apply(connection.incrementAndGet()) + "\r\n", EHLO).serve(socket, commands);
      f.smtp("127.0.0.2", b).smtp("127.0.0.3", b);
    }
    greeting = next;
  }

  private List<Change> check() {
    Snapshot snapshot = f.snapshot(CheckFixture.DOMAIN);
    clock = clock.plus(Duration.ofMinutes(5));
    DriftEngine.Step step = engine.step(state, Observation.of(new CheckResult(snapshot, new Auditor().audit(snapshot))), Expectations.NONE, clock);
    state = step.state();
    return step.events().stream().map(DriftEngine.ChangeEvent::change).toList();
  }

  private List<Change> checks(int n) {
    List<Change> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.addAll(check());
    }
    return all;
  }

  @Test
  void aSessionIdInTheBannerDoesNotKeepTheBaselineFromBeingLearned() {
    greet(n -> GMAIL.formatted(1000 + n, n));
    assertThat(checks(2)).isEmpty();
    assertThat(state.baseline()).as("learned after two checks").isNotNull();
    assertThat(state.baseline().smtp().get("127.0.0.2").banner()).isEqualTo("mx.google.com ESMTP #.# - gsmtp");
    assertThat(state.baseline().smtp().get("127.0.0.2").greeting()).startsWith("mx.google.com ESMTP 5b1f17b1804b1-47a8b5e83d2si");
    assertThat(checks(3)).as("new session IDs are no change").isEmpty();

    f.dns.replace(CheckFixture.DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    assertThat(checks(2)).extracting(Change::code).contains("MX_REMOVED");
  }

  @Test
  void loadBalancedFrontEndsAndTheClockInTheBannerAreNoChange() {
    String[] frontEnds = {"BN8NAM11FT012", "CO1NAM11FT044", "DM6NAM12FT101"};
    String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    greet(n -> MICROSOFT.formatted(frontEnds[n % frontEnds.length], days[n % days.length], n % 28 + 1, n % 60));
    assertThat(checks(6)).isEmpty();
    assertThat(state.baseline()).isNotNull();
    assertThat(state.candidate()).as("nothing pending").isNull();
  }

  @Test
  void anotherMailServerIsABannerChangeShownAsSent() {
    greet(n -> "mx1.example.test ESMTP Postfix (Debian/GNU)");
    assertThat(checks(2)).isEmpty();
    greet(n -> "mx1.example.test ESMTP Exim 4.96 Mon, 23 Nov 2026 14:00:" + n % 60 + " +0000");
    List<Change> changes = checks(2);
    assertThat(changes).extracting(Change::code).containsOnly("SMTP_BANNER_CHANGED");
    Change first = changes.getFirst();
    assertThat(first.before()).isEqualTo("mx1.example.test ESMTP Postfix (Debian/GNU)");
    assertThat(first.after()).startsWith("mx1.example.test ESMTP Exim 4.96 Mon, 23 Nov 2026 14:00:");
  }

  @Test
  void aBannerChangeIsHistoryNotAnOpenChangeWaitingForAnAck() {
    greet(n -> "mx1.example.test ESMTP Postfix (Debian/GNU)");
    checks(2);
    greet(n -> "mx1.example.test ESMTP Exim 4.96");
    assertThat(checks(2)).extracting(Change::code).as("recorded as a confirmed change").containsOnly("SMTP_BANNER_CHANGED");

    assertThat(engine.open(state, Expectations.NONE)).as("info level: nothing to approve").isEmpty();

    f.dns.replace(CheckFixture.DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    checks(2);
    assertThat(engine.open(state, Expectations.NONE)).extracting(Change::code).as("a warning or worse still is").containsExactly("MX_REMOVED");
  }

  @Test
  void stableBannerKeepsNamesAndDropsWhatVaries() {
    assertThat(DomainState.Smtp.stableBanner("mx-b.e2e.test ESMTP")).isEqualTo("mx-b.#.test ESMTP");
    assertThat(DomainState.Smtp.stableBanner("mail.example.com ESMTP Exim 4.96 Mon, 23 Nov 2026 14:00:00 +0000"))
        .isEqualTo("mail.example.com ESMTP Exim #.# #, # # # #:#:# +#");
    assertThat(DomainState.Smtp.stableBanner("mx.example.com ESMTP Postfix")).isEqualTo("mx.example.com ESMTP Postfix");
    assertThat(DomainState.Smtp.stableBanner(null)).isNull();
  }

  @Test
  void aBannerStoredInTheEarlierFormEqualsTheSameGreetingNow() {
    // states stored before: every run of digits as '#', no greeting kept
    DomainState.Smtp stored = new DomainState.Smtp(true, "mx-b.e#e.test ESMTP", null);
    DomainState.Smtp now = DomainState.Smtp.of(true, "mx-b.e2e.test ESMTP");
    assertThat(now).isEqualTo(stored).hasSameHashCodeAs(stored);
    assertThat(stored.shown()).isEqualTo("mx-b.#.test ESMTP");
    assertThat(now.shown()).isEqualTo("mx-b.e2e.test ESMTP");
    assertThat(DomainState.Smtp.of(true, "mx.example.com ESMTP Exim")).isNotEqualTo(DomainState.Smtp.of(true, "mx.example.com ESMTP Postfix"));
    assertThat(DomainState.Smtp.of(false, null)).isNotEqualTo(DomainState.Smtp.of(true, null));
  }
}
