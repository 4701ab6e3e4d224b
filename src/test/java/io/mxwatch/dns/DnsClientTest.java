package io.mxwatch.dns;

import static io.mxwatch.testing.TestDnsServer.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Await;
import io.mxwatch.testing.ScriptedDnsServer;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class DnsClientTest {
  private TestDnsServer server;

  @BeforeEach
  void start() {
    server = TestDnsServer.start();
    server.load(
        "example.test",
        """
        @        MX 10 mx1
        @        MX 20 mx2
        mx1      A  127.0.0.10
        mx2      CNAME mx1
        @        TXT "v=spf1 " "-all"
        gone     CNAME nowhere.example.test.
        """);
  }

  private final List<DnsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(DnsClient::close);
    server.close();
  }

  /** A client closed after the test. */
  private DnsClient open(DnsSettings settings) {
    DnsClient client = new DnsClient(settings, Runnable::run);
    clients.add(client);
    return client;
  }

  private DnsClient client(Duration timeout, int retries) {
    return open(new DnsSettings(List.of(server.address()), timeout, retries, 16));
  }

  private DnsClient client() {
    return client(Duration.ofSeconds(2), 0);
  }

  @Test
  void recordsAreReturnedWithAuthority() {
    DnsOutcome outcome = client().query(name("example.test"), Type.MX).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.Answer.class);
    var answer = (DnsOutcome.Answer) outcome;
    assertThat(answer.records()).hasSize(2).allMatch(r -> r instanceof MXRecord);
    assertThat(answer.authoritative()).isTrue();
    assertThat(answer.cnameChain()).isEmpty();
    assertThat(outcome.status()).isEqualTo(DnsStatus.RECORDS);
  }

  @Test
  void txtCharacterStringsArriveSeparately() {
    var answer = (DnsOutcome.Answer) client().query(name("example.test"), Type.TXT).join();
    assertThat(((TXTRecord) answer.records().get(0)).getStrings()).containsExactly("v=spf1 ", "-all");
  }

  @Test
  void nodataIsAbsentNotFailure() {
    DnsOutcome outcome = client().query(name("mx1.example.test"), Type.AAAA).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.NoData.class).isInstanceOf(DnsOutcome.Absent.class);
    assertThat(outcome.status().isAbsent()).isTrue();
    assertThat(outcome.status().isFailure()).isFalse();
  }

  @Test
  void nxdomainIsAbsentNotFailure() {
    DnsOutcome outcome = client().query(name("nope.example.test"), Type.A).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.NxDomain.class);
    assertThat(outcome.status()).isEqualTo(DnsStatus.NXDOMAIN);
    assertThat(outcome.status().isFailure()).isFalse();
  }

  @Test
  void cnameChainIsFollowedAndReported() {
    var answer = (DnsOutcome.Answer) client().query(name("mx2.example.test"), Type.A).join();
    assertThat(answer.cnameChain()).containsExactly(name("mx1.example.test"));
    assertThat(answer.records()).hasSize(1);
  }

  @Test
  void danglingCnameIsNxdomainWithChain() {
    DnsOutcome outcome = client().query(name("gone.example.test"), Type.A).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.NxDomain.class);
    assertThat(outcome.cnameChain()).containsExactly(name("nowhere.example.test"));
  }

  @Test
  void servfailIsFailure() {
    server.fault("example.test", Type.MX, Fault.servfail());
    DnsOutcome outcome = client().query(name("example.test"), Type.MX).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.ServFail.class);
    assertThat(outcome.status().isFailure()).isTrue();
    assertThat(outcome.detail()).contains("SERVFAIL").contains(String.valueOf(server.port()));
  }

  @Test
  void refusedIsFailure() {
    server.fault("example.test", Type.MX, Fault.refused());
    DnsOutcome outcome = client().query(name("example.test"), Type.MX).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.Refused.class);
    assertThat(outcome.status()).isEqualTo(DnsStatus.REFUSED);
  }

  @Test
  void droppedQueryTimesOutAfterEveryAttempt() {
    server.fault("example.test", Type.MX, Fault.drop());
    DnsOutcome outcome = client(Duration.ofMillis(200), 2).query(name("example.test"), Type.MX).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.Timeout.class);
    assertThat(outcome.detail()).contains("3 attempts");
    assertThat(server.count("example.test", Type.MX)).isEqualTo(3);
  }

  @Test
  void aRetryRecoversFromOneDroppedQuery() {
    server.fault(q -> q.is("example.test", Type.MX), Fault.drop(), 1);
    DnsOutcome outcome = client(Duration.ofMillis(300), 1).query(name("example.test"), Type.MX).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(server.count("example.test", Type.MX)).isEqualTo(2);
  }

  @Test
  void aRetryRecoversFromOneServfail() {
    server.fault(q -> q.is("example.test", Type.MX), Fault.servfail(), 1);
    assertThat(client(Duration.ofSeconds(2), 1).query(name("example.test"), Type.MX).join())
        .isInstanceOf(DnsOutcome.Answer.class);
  }

  @Test
  void truncatedUdpAnswerIsRetriedOverTcp() {
    server.fault(q -> q.is("example.test", Type.TXT), Fault.truncate());
    DnsOutcome outcome = client().query(name("example.test"), Type.TXT).join();
    assertThat(outcome).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(server.queries())
        .filteredOn(q -> q.is("example.test", Type.TXT))
        .extracting(TestDnsServer.Query::tcp)
        .containsExactly(false, true);
  }

  @Test
  void largeAnswerArrivesWhole() {
    StringBuilder zone = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      zone.append("big TXT \"record number ").append(i).append(" with some padding text\"\n");
    }
    server.load("example.test", zone.toString());
    var answer = (DnsOutcome.Answer) client().query(name("big.example.test"), Type.TXT).join();
    assertThat(answer.records()).hasSize(60);
  }

  @Test
  void slowAnswerWithinTimeoutIsAnswer() {
    server.fault("example.test", Type.MX, Fault.delay(Duration.ofMillis(100)));
    assertThat(client(Duration.ofSeconds(3), 0).query(name("example.test"), Type.MX).join())
        .isInstanceOf(DnsOutcome.Answer.class);
  }

  @Test
  void closedPortIsAnErrorNotAnAbsence() throws Exception {
    int closedPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    var settings =
        new DnsSettings(
            List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)),
            Duration.ofMillis(300),
            0,
            4);
    DnsOutcome outcome = open(settings).query(name("example.test"), Type.MX).join();
    assertThat(outcome.status().isFailure()).isTrue();
    assertThat(outcome.status().isAbsent()).isFalse();
  }

  @Test
  void secondResolverAnswersWhenFirstFails() {
    try (TestDnsServer broken = TestDnsServer.start()) {
      broken.fault(q -> true, Fault.servfail());
      var settings =
          new DnsSettings(List.of(broken.address(), server.address()), Duration.ofSeconds(2), 1, 4);
      assertThat(open(settings).query(name("example.test"), Type.MX).join())
          .isInstanceOf(DnsOutcome.Answer.class);
      assertThat(broken.count("example.test", Type.MX)).isEqualTo(1);
    }
  }

  @Test
  void ipv6LoopbackServerWorks() throws Exception {
    try (TestDnsServer v6 = TestDnsServer.start(InetAddress.getByName("::1"))) {
      v6.load("example.test", "@ MX 10 mx1\n");
      var settings = DnsSettings.of(List.of(v6.address()));
      assertThat(open(settings).query(name("example.test"), Type.MX).join())
          .isInstanceOf(DnsOutcome.Answer.class);
    }
  }

  @Test
  void answersThatDoNotMatchTheQueryAreIgnored() {
    // a hostile server: for each query it first sends answers with another ID, another question,
    // QR clear (a query, not a response) and another opcode, and only then the real answer
    try (ScriptedDnsServer hostile =
        ScriptedDnsServer.start(
            query -> {
              Message wrongId = ScriptedDnsServer.answer(query);
              wrongId.getHeader().setID((query.getHeader().getID() + 1) & 0xffff);
              wrongId.getHeader().setRcode(Rcode.NXDOMAIN);
              Message wrongQuestion = Message.newQuery(Record.newRecord(name("evil.example.test"), Type.MX, DClass.IN));
              wrongQuestion.getHeader().setID(query.getHeader().getID());
              wrongQuestion.getHeader().setFlag(Flags.QR);
              wrongQuestion.getHeader().setRcode(Rcode.NXDOMAIN);
              Message notAResponse = ScriptedDnsServer.answer(query);
              notAResponse.getHeader().unsetFlag(Flags.QR);
              notAResponse.getHeader().setRcode(Rcode.NXDOMAIN);
              Message notify = ScriptedDnsServer.answer(query);
              notify.getHeader().setOpcode(Opcode.NOTIFY);
              notify.getHeader().setRcode(Rcode.NXDOMAIN);
              Message real =
                  ScriptedDnsServer.answer(
                      query, new MXRecord(query.getQuestion().getName(), DClass.IN, 60, 10, name("mx.example.test")));
              return Stream.of(wrongId, wrongQuestion, notAResponse, notify, real).map(Message::toWire).toList();
            })) {
      DnsClient client = open(new DnsSettings(List.of(hostile.address()), Duration.ofSeconds(2), 0, 4));
      DnsOutcome outcome = client.query(name("example.test"), Type.MX).join();
      assertThat(outcome).isInstanceOf(DnsOutcome.Answer.class);
      assertThat(((MXRecord) ((DnsOutcome.Answer) outcome).records().get(0)).getTarget()).isEqualTo(name("mx.example.test"));
    }
  }

  @Test
  void eachQueryCarriesItsNameInRandomCaseAndTheAnswerComesBackWithTheNameAsAsked() {
    DnsClient client = client();
    for (int i = 0; i < 20; i++) {
      var answer = (DnsOutcome.Answer) client.query(name("example.test"), Type.MX).join();
      assertThat(answer.records()).extracting(r -> r.getName().toString()).containsOnly("example.test.");
    }
    List<String> sent = server.queries().stream().map(TestDnsServer.Query::sent).toList();
    assertThat(sent).hasSize(20).allMatch(n -> n.equalsIgnoreCase("example.test."));
    assertThat(sent.stream().distinct().count()).as("cases differ from query to query").isGreaterThan(1);
  }

  @Test
  void anAnswerThatChangesTheNamesCaseIsDroppedUnlessCaseRandomizationIsOff() {
    // a resolver that answers with the question in lower case, whatever was asked
    try (ScriptedDnsServer lowering =
        ScriptedDnsServer.start(
            query -> {
              Name asked = query.getQuestion().getName();
              Message m = new Message(query.getHeader().getID());
              m.getHeader().setFlag(Flags.QR);
              m.addRecord(Record.newRecord(asked.canonicalize(), Type.MX, DClass.IN), Section.QUESTION);
              m.addRecord(new MXRecord(asked.canonicalize(), DClass.IN, 60, 10, name("mx.example.test")), Section.ANSWER);
              return List.of(m.toWire());
            })) {
      DnsSettings careful = new DnsSettings(List.of(lowering.address()), Duration.ofMillis(300), 0, 4);
      assertThat(open(careful).query(name("example.test"), Type.MX).join()).isInstanceOf(DnsOutcome.Timeout.class);

      DnsSettings trusting = new DnsSettings(List.of(lowering.address()), Duration.ofSeconds(2), 0, 4, false);
      assertThat(open(trusting).query(name("example.test"), Type.MX).join()).isInstanceOf(DnsOutcome.Answer.class);
    }
  }

  @Test
  void theTcpRetryOfATruncatedAnswerWaitsNoLongerThanTheChecksDeadline() {
    server.fault(q -> q.is("example.test", Type.MX) && !q.tcp(), Fault.truncate());
    server.fault(q -> q.is("example.test", Type.MX) && q.tcp(), Fault.delay(Duration.ofSeconds(3)));
    DnsClient client = client(Duration.ofSeconds(10), 0);
    long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
    // the TCP answer comes after 3 s: within the attempt's 10 s, but after the check's deadline
    assertThat(client.query(name("example.test"), Type.MX, deadline).join()).isInstanceOf(DnsOutcome.Timeout.class);
    assertThat(server.queries()).anyMatch(TestDnsServer.Query::tcp);
  }

  @Test
  void checkDeadlineCutsTheWaitShort() {
    server.fault("example.test", Type.MX, Fault.drop());
    try (DnsClient client = client(Duration.ofSeconds(5), 3)) {
      long deadline = System.nanoTime() + Duration.ofMillis(300).toNanos();
      DnsOutcome outcome = client.query(name("example.test"), Type.MX, deadline).join();
      assertThat(outcome).isInstanceOf(DnsOutcome.Timeout.class);
      // the first attempt waits only until the deadline, and no retry starts after it
      assertThat(server.count("example.test", Type.MX)).isEqualTo(1);
      assertThat(client.query(name("example.test"), Type.MX, System.nanoTime() - 1).join().detail())
          .contains("deadline");
    }
  }

  @Test
  void aSlotIsHandedOnWhenTheAnswerArrivesNotOnceItIsRead() throws InterruptedException {
    // one slot: the second query goes out only when the first gives it back
    DnsClient client = open(new DnsSettings(List.of(server.address()), Duration.ofSeconds(5), 0, 1));
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<DnsOutcome> first =
        client
            .query(name("example.test"), Type.MX)
            .thenApply(
                outcome -> {
                  reading.countDown();
                  try {
                    done.await(10, TimeUnit.SECONDS); // holds the thread that reads answers
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return outcome;
                });
    CompletableFuture<DnsOutcome> second = client.query(name("mx1.example.test"), Type.A);
    try {
      assertThat(reading.await(5, TimeUnit.SECONDS)).as("the first answer is being read").isTrue();
      Await.until(
          "the second query at the server while the first answer is still being read",
          Duration.ofSeconds(5),
          () -> server.count("mx1.example.test", Type.A) == 1);
    } finally {
      done.countDown();
    }
    assertThat(first.join()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(second.join()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(client.inFlight()).isZero();
    assertThat(client.queued()).isZero();
  }

  @Test
  void aRetryAfterAnAnswerWaitsForASlotAndTheSlotsAllComeBack() {
    server.fault("example.test", Type.MX, Fault.servfail());
    DnsClient client = open(new DnsSettings(List.of(server.address()), Duration.ofSeconds(2), 2, 1));
    List<CompletableFuture<DnsOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(client.query(name("example.test"), Type.MX));
      futures.add(client.query(name("mx1.example.test"), Type.A));
    }
    assertThat(futures.stream().map(CompletableFuture::join))
        .hasSize(6)
        .filteredOn(o -> o instanceof DnsOutcome.ServFail)
        .hasSize(3);
    assertThat(server.count("example.test", Type.MX)).as("three attempts of each of three queries").isEqualTo(9);
    assertThat(client.inFlight()).isZero();
    assertThat(client.queued()).isZero();
  }

  @Test
  void inFlightQueriesAreBounded() {
    server.fault(q -> q.name().toString().startsWith("slow"), Fault.delay(Duration.ofMillis(50)));
    for (int i = 0; i < 40; i++) {
      server.load("example.test", "slow" + i + " A 127.0.0.1\n");
    }
    var settings = new DnsSettings(List.of(server.address()), Duration.ofSeconds(5), 0, 3);
    DnsClient client = open(settings);
    List<CompletableFuture<DnsOutcome>> futures = new ArrayList<>();
    int maxSeen = 0;
    for (int i = 0; i < 40; i++) {
      futures.add(client.query(name("slow" + i + ".example.test"), Type.A));
      maxSeen = Math.max(maxSeen, client.inFlight());
    }
    assertThat(client.queued()).isPositive();
    futures.forEach(CompletableFuture::join);
    assertThat(maxSeen).isLessThanOrEqualTo(3);
    assertThat(futures).allMatch(f -> f.join() instanceof DnsOutcome.Answer);
    assertThat(client.inFlight()).isZero();
    assertThat(client.queued()).isZero();
  }
}
