package io.mxwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mxwatch.audit.Severity;
import io.mxwatch.config.DomainPattern;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DomainState;
import io.mxwatch.drift.DriftState;
import io.mxwatch.drift.Expectations;
import io.mxwatch.snapshot.SnapshotJson;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.Database;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.TestClock;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting from stored drift state to the relay, with a fixed clock: grouping, resolve on ack
 * threaded to the first email, routes by severity, silences, a relay that is down and comes back,
 * and a restart with emails still in the outbox.
 */
class AlertFlowTest {
  private static final String DOMAIN = "example.org";
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final String ONCALL = "oncall@example.net";

  @TempDir Path dir;
  private final TestClock clock = new TestClock(T0);
  private final List<Database> open = new ArrayList<>();
  private GreenMail greenMail;
  private MxwatchConfig.Alerts alerts;
  private final Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
  private final AlertCounters counters = new AlertCounters();

  @AfterEach
  void close() {
    open.forEach(Database::close);
    if (greenMail != null) {
      greenMail.stop();
    }
  }

  private static DomainState state(String... exchanges) {
    List<DomainState.Exchange> mx = new ArrayList<>();
    TreeMap<String, DomainState.Smtp> smtp = new TreeMap<>();
    for (int i = 0; i < exchanges.length; i++) {
      mx.add(new DomainState.Exchange(10 * (i + 1), exchanges[i], null, List.of("127.0.0." + (i + 1))));
      smtp.put("127.0.0." + (i + 1), DomainState.Smtp.of(true, "220 " + exchanges[i] + " ESMTP"));
    }
    return new DomainState(new DomainState.Mx("mx", mx), List.of("v=spf1 -all"), List.of("v=DMARC1; p=reject"), smtp, List.of());
  }

  /** A domain whose baseline has both exchanges and whose confirmed state lost the second. */
  private static DriftState mxRemoved(String domain) {
    DomainState before = state("mx1." + domain, "mx2." + domain);
    DomainState after = state("mx1." + domain);
    return new DriftState(before, after, null, 0, null, after, 0, false);
  }

  private static DriftState calm(String domain) {
    DomainState s = state("mx1." + domain, "mx2." + domain);
    return new DriftState(s, s, null, 0, null, s, 0, false);
  }

  /** Writes {@code s} as the domain's drift state the way a recorded check would. */
  private static void put(Database db, String domain, DriftState s) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      try (PreparedStatement m = c.prepareStatement("MERGE INTO domain KEY (name) VALUES (?, ?)")) {
        m.setString(1, domain);
        m.setObject(2, T0.atOffset(java.time.ZoneOffset.UTC));
        m.executeUpdate();
      }
      String json = SnapshotJson.mapper().writeValueAsString(s);
      try (PreparedStatement up = c.prepareStatement("UPDATE drift_state SET version = version + 1 WHERE domain = ?")) {
        up.setString(1, domain);
        boolean first = up.executeUpdate() == 0;
        if (first) {
          try (PreparedStatement ins = c.prepareStatement("INSERT INTO drift_state (domain, version) VALUES (?, 1)")) {
            ins.setString(1, domain);
            ins.executeUpdate();
          }
        }
        try (PreparedStatement w =
            c.prepareStatement(first ? "INSERT INTO drift_state_content (state, domain) VALUES (?, ?)" : "UPDATE drift_state_content SET state = ? WHERE domain = ?")) {
          w.setString(1, json);
          w.setString(2, domain);
          w.executeUpdate();
        }
      }
    }
  }

  private Database db() {
    Database db = Database.open(Database.h2Url(dir), "sa", "");
    open.add(db);
    return db;
  }

  private int startRelay(int port) {
    greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    greenMail.start();
    return greenMail.getSmtp().getPort();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void configure(int relayPort, List<MxwatchConfig.Route> routes, String... watched) {
    alerts =
        new MxwatchConfig.Alerts(
            true,
            "mxwatch@alerts.test",
            List.of(ONCALL),
            Severity.WARNING,
            routes,
            List.of(),
            new MxwatchConfig.Relay("127.0.0.1", relayPort, MxwatchConfig.Tls.NONE, true, null, null, Duration.ofSeconds(5)),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofHours(4),
            true,
            null);
    for (String d : watched) {
      domains.put(d, new MxwatchConfig.Domain(d, new MxwatchConfig.Schedule.Every(Duration.ofMinutes(5)), 2, Expectations.NONE));
    }
  }

  private AlertEngine engine(AlertStore store) {
    AlertEngine.Setup setup = new AlertEngine.Setup(alerts, domains, "/etc/mxwatch/mxwatch.yaml");
    return new AlertEngine(store, () -> setup, clock, counters);
  }

  private OutboxSender sender(AlertStore store, String owner) {
    RelaySender relay = new RelaySender(alerts.relay(), alerts.from());
    return new OutboxSender(store, () -> relay, clock, owner, Duration.ofMinutes(1), OutboxSender.Backoff.DEFAULT, counters);
  }

  /** Evaluates, lets group_wait pass and evaluates again: what is open is queued. */
  private void fireAfterGroupWait(AlertEngine engine) {
    engine.evaluate();
    clock.advance(Duration.ofSeconds(30));
    engine.evaluate();
  }

  private MimeMessage[] received() {
    return greenMail.getReceivedMessages();
  }

  @Test
  void aConfirmedChangeIsEmailedOnceAfterGroupWaitAndItsAckResolvesItInTheSameThread() throws Exception {
    int port = startRelay(0);
    configure(port, List.of(), DOMAIN);
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    put(db, DOMAIN, mxRemoved(DOMAIN));
    AlertEngine engine = engine(store);
    OutboxSender sender = sender(store, "a");

    assertThat(engine.evaluate()).as("within group_wait").isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(engine.evaluate()).isEqualTo(1);
    assertThat(sender.drain()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    assertThat(engine.evaluate()).as("still firing, nothing new").isZero();
    assertThat(sender.drain()).isZero();

    MimeMessage firing = received()[0];
    assertThat(firing.getSubject()).isEqualTo("[mxwatch] CRITICAL example.org: MX mx2.example.org removed");
    assertThat(firing.getRecipients(Message.RecipientType.TO)).extracting(Object::toString).containsExactly(ONCALL);
    String text = EmailComposerTest.textPart(firing);
    assertThat(text).contains("before: 20 mx2.example.org").contains("after:  absent");
    assertThat(text).contains("mxwatch ack example.org --config /etc/mxwatch/mxwatch.yaml --reason");
    assertThat(text).contains("127.0.0.1").contains("reachable").contains("220 mx1.example.org ESMTP");

    new HistoryStore(db.dataSource()).approve(DOMAIN, "alice", "mx2 retired", clock.instant());
    assertThat(engine.evaluate()).as("resolved waits for group_interval after the last email").isZero();
    clock.advance(Duration.ofMinutes(4));
    assertThat(engine.evaluate()).isEqualTo(1);
    sender.drain();

    assertThat(received()).hasSize(2);
    MimeMessage resolved = received()[1];
    assertThat(resolved.getSubject()).isEqualTo("[mxwatch] RESOLVED example.org: MX mx2.example.org removed");
    assertThat(resolved.getHeader("In-Reply-To")).containsExactly(firing.getMessageID());
    assertThat(resolved.getHeader("References")).containsExactly(firing.getMessageID());
    assertThat(resolved.getHeader("X-Mxwatch-Status")).containsExactly("resolved");
    assertThat(counters.sent()).isEqualTo(2);
  }

  @Test
  void routesSendEachRecipientTheSeveritiesItAskedFor() throws Exception {
    int port = startRelay(0);
    MxwatchConfig.Route pager = new MxwatchConfig.Route("pager", List.of(DomainPattern.ALL), List.of("pager@example.net"), Severity.CRITICAL, true);
    MxwatchConfig.Route team = new MxwatchConfig.Route("team", List.of(DomainPattern.parse("example.org")), List.of("team@example.net"), Severity.WARNING, false);
    configure(port, List.of(pager, team), DOMAIN);
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    DriftState s = mxRemoved(DOMAIN);
    DomainState weaker = new DomainState(s.confirmed().mx(), List.of("v=spf1 ~all"), s.confirmed().dmarc(), s.confirmed().smtp(), List.of());
    put(db, DOMAIN, new DriftState(s.baseline(), weaker, null, 0, null, weaker, 0, false));

    engine(store).evaluate();
    clock.advance(Duration.ofSeconds(30));
    assertThat(engine(store).evaluate()).isEqualTo(2);
    sender(store, "a").drain();

    assertThat(greenMail.getReceivedMessagesForDomain("example.net")).hasSize(2);
    Map<String, String> subjects = new LinkedHashMap<>();
    for (MimeMessage m : received()) {
      subjects.put(m.getAllRecipients()[0].toString(), m.getSubject());
    }
    assertThat(subjects)
        .containsEntry("pager@example.net", "[mxwatch] CRITICAL example.org: MX mx2.example.org removed")
        .containsEntry("team@example.net", "[mxwatch] CRITICAL example.org: MX mx2.example.org removed (+1 more)");
    assertThat(subjects).doesNotContainKey(ONCALL);
  }

  @Test
  void aSilencedAlertIsRecordedNotSentAndGoesOutWhenTheSilenceEndsWhileItStillFires() throws Exception {
    int port = startRelay(0);
    configure(port, List.of(), DOMAIN);
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    AlertEngine engine = engine(store);
    OutboxSender sender = sender(store, "a");
    engine.evaluate();
    store.addSilence(new SilenceRule(0, DomainPattern.parse(DOMAIN), T0, T0.plus(Duration.ofHours(1)), "mx migration", "alice"), T0);
    put(db, DOMAIN, mxRemoved(DOMAIN));

    for (int minute = 1; minute < 60; minute += 10) {
      clock.set(T0.plus(Duration.ofMinutes(minute)));
      assertThat(engine.evaluate()).as("silenced at minute %d", minute).isZero();
    }
    assertThat(store.groups(DOMAIN).get("default").alerts()).singleElement().satisfies(a -> assertThat(a.silenced()).isTrue());

    clock.set(T0.plus(Duration.ofHours(1)));
    assertThat(engine.evaluate()).as("the silence just ended: group_wait starts").isZero();
    clock.advance(Duration.ofSeconds(30));
    assertThat(engine.evaluate()).isEqualTo(1);
    sender.drain();
    assertThat(received()).singleElement().satisfies(m -> assertThat(m.getSubject()).contains("MX mx2.example.org removed"));
  }

  /** An MX_REMOVED alert of {@link #DOMAIN} queued, its relay at {@code port} down. */
  private AlertStore alertQueuedWhileTheRelayIsDown(int port) throws Exception {
    configure(port, List.of(), DOMAIN);
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    put(db, DOMAIN, mxRemoved(DOMAIN));
    fireAfterGroupWait(engine(store));
    return store;
  }

  @Test
  void aRelayDownForAnHourDelaysTheAlertAndDeliversItOnceItIsBack() throws Exception {
    int port = closedPort();
    AlertStore store = alertQueuedWhileTheRelayIsDown(port);
    OutboxSender sender = sender(store, "a");

    for (int minute = 0; minute <= 60; minute++) {
      assertThat(sender.drain()).isZero();
      clock.advance(Duration.ofMinutes(1));
    }
    // attempts at minutes 0, 1, 2, 4, 8, 16, 31, 46: 30 s doubled up to 15 min, not one per drain
    assertThat(counters.retried()).isEqualTo(8);
    assertThat(store.outbox(10).pending()).isEqualTo(1);
    assertThat(store.outbox(10).lastError()).contains("connecting to the relay 127.0.0.1:" + port);

    startRelay(port);
    clock.advance(Duration.ofMinutes(15));
    assertThat(sender.drain()).isEqualTo(1);
    clock.advance(Duration.ofHours(1));
    assertThat(sender.drain()).isZero();
    assertThat(received()).hasSize(1);
    assertThat(store.outbox(10).pending()).isZero();
  }

  @Test
  void anEmailTheRelayDidNotTakeInADayIsGivenUpNotSentStaleWhenTheRelayReturns() throws Exception {
    int port = closedPort();
    AlertStore store = alertQueuedWhileTheRelayIsDown(port);
    OutboxSender sender = sender(store, "a");
    for (int hour = 0; hour < 24; hour++) {
      assertThat(sender.drain()).isZero();
      clock.advance(Duration.ofHours(1));
    }
    assertThat(counters.expired()).as("a day old at most: still tried").isZero();

    startRelay(port);
    clock.advance(Duration.ofMinutes(20));
    assertThat(sender.drain()).isZero();

    assertThat(received()).as("a day-old page is not sent").isEmpty();
    assertThat(counters.expired()).isEqualTo(1);
    assertThat(store.outbox(10).pending()).isZero();
    assertThat(store.outbox(10).toString()).contains("given up as stale");
  }

  @Test
  void newRelaySettingsAreTriedAtOnceNotAfterTheBackoff() throws Exception {
    configure(closedPort(), List.of(), DOMAIN);
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    put(db, DOMAIN, mxRemoved(DOMAIN));
    AlertEngine engine = engine(store);
    fireAfterGroupWait(engine);
    OutboxSender broken = sender(store, "a");
    for (int i = 0; i < 6; i++) {
      broken.drain();
      clock.advance(Duration.ofMinutes(4));
    }
    assertThat(broken.drain()).as("backing off").isZero();

    configure(startRelay(0), List.of(), DOMAIN); // the operator fixed the relay and reloaded
    RelaySender fixed = new RelaySender(alerts.relay(), alerts.from());
    OutboxSender sender = new OutboxSender(store, () -> fixed, clock, "a", Duration.ofMinutes(1), OutboxSender.Backoff.DEFAULT, counters);
    assertThat(sender.drain()).as("still waiting for its next attempt").isZero();
    store.retryAllNow(clock.instant());
    sender.relayChanged();
    assertThat(sender.drain()).isEqualTo(1);
    assertThat(received()).hasSize(1);
  }

  @Test
  void afterARestartEveryPendingEmailIsDeliveredExactlyOnce() throws Exception {
    configure(closedPort(), List.of(), "a.example", "b.example", "c.example");
    Database db = db();
    AlertStore store = new AlertStore(db.dataSource());
    for (String d : List.of("a.example", "b.example", "c.example")) {
      put(db, d, mxRemoved(d));
    }
    put(db, "quiet.example", calm("quiet.example"));
    engine(store).evaluate();
    clock.advance(Duration.ofSeconds(30));
    AlertEngine engine = engine(store);
    engine.evaluate();
    assertThat(engine.evaluate()).isZero();
    // the daemon died while sending c.example's email: its claim outlives the process
    List<AlertRepository.Queued> queued = store.sendable(clock.instant(), 10);
    assertThat(queued).extracting(q -> q.email().domain()).containsExactly("a.example", "b.example", "c.example");
    assertThat(store.claim(queued.get(2).id(), "dead-daemon", Duration.ofSeconds(1))).isTrue();
    db.close();
    open.remove(db);

    // restart: a new process, the same store, the relay up
    int port = startRelay(0);
    configure(port, List.of(), "a.example", "b.example", "c.example");
    Database again = db();
    AlertStore store2 = new AlertStore(again.dataSource());
    OutboxSender sender = sender(store2, "b");
    assertThat(engine(store2).evaluate()).as("nothing decided twice").isZero();
    assertThat(sender.drain()).isEqualTo(2);
    clock.advance(Duration.ofMinutes(2));
    // claims run by the store's clock: the dead daemon's lease of one second runs out in real time
    Await.until("the dead daemon's claim ran out and its email went out", Duration.ofSeconds(20), () -> sender.drain() == 1);
    clock.advance(Duration.ofHours(5));
    engine(store2).evaluate();
    sender.drain();
    assertThat(Arrays.stream(received()).map(m -> header(m, "X-Mxwatch-Domain")).toList())
        .containsExactlyInAnyOrder("a.example", "b.example", "c.example", "a.example", "b.example", "c.example");
    assertThat(Arrays.stream(received()).map(m -> header(m, "Message-ID")).distinct()).as("the 4 h repeats are new emails").hasSize(6);
  }

  @Test
  void aDaemonWhoseClockIsAheadDoesNotTakeAnEmailAnotherDaemonIsSending() throws Exception {
    AlertStore store = alertQueuedWhileTheRelayIsDown(startRelay(0));
    long id = store.sendable(clock.instant(), 10).get(0).id();
    assertThat(store.claim(id, "a", Duration.ofMinutes(1))).as("daemon a is sending it").isTrue();

    // daemon b's clock is ten minutes ahead: by its own clock a's claim ran out long ago
    TestClock ahead = new TestClock(clock.instant().plus(Duration.ofMinutes(10)));
    RelaySender relay = new RelaySender(alerts.relay(), alerts.from());
    OutboxSender b = new OutboxSender(store, () -> relay, ahead, "b", Duration.ofMinutes(1), OutboxSender.Backoff.DEFAULT, counters);

    assertThat(b.drain()).isZero();
    assertThat(received()).isEmpty();
    assertThat(store.sendable(ahead.instant(), 10)).as("held, by the store's clock").isEmpty();
  }

  @Test
  void aSenderWhoseClaimRanOutLeavesTheNewClaimantsStateAlone() throws Exception {
    AlertStore store = alertQueuedWhileTheRelayIsDown(closedPort());
    long id = store.sendable(clock.instant(), 10).get(0).id();
    assertThat(store.claim(id, "a", Duration.ofMillis(200))).isTrue();
    Await.until("a's claim ran out and b claimed the email", Duration.ofSeconds(20), () -> store.claim(id, "b", Duration.ofMinutes(1)));

    assertThat(store.retry(id, "a", 1, clock.instant().plus(Duration.ofMinutes(1)), "late failure of a")).isFalse();
    assertThat(store.failed(id, "a", clock.instant(), "late refusal seen by a")).isFalse();
    assertThat(store.outbox(10).pending()).as("still b's to send").isEqualTo(1);
    assertThat(store.outbox(10).lastError()).isNull();

    assertThat(store.sent(id, "a", clock.instant(), List.of())).as("a's claim was gone when the relay took it").isFalse();
    assertThat(store.outbox(10).pending()).as("but it went out: marked sent").isZero();
    assertThat(store.retry(id, "b", 1, clock.instant(), "b's failure after a sent it")).isFalse();
  }

  private static String header(MimeMessage m, String name) {
    try {
      return m.getHeader(name)[0];
    } catch (jakarta.mail.MessagingException e) {
      throw new AssertionError(e);
    }
  }
}
