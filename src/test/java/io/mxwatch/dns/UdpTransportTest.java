package io.mxwatch.dns;

import static io.mxwatch.testing.TestDnsServer.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Await;
import io.mxwatch.testing.ScriptedDnsServer;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

class UdpTransportTest {
  private static final long TEN_SECONDS = Duration.ofSeconds(10).toNanos();

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closed(T c) {
    closing.add(c);
    return c;
  }

  /** The wire answer of one query, or its failure as the exception. */
  private static CompletableFuture<byte[]> send(UdpTransport udp, InetSocketAddress server, String name, UdpTransport.Receiver before) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    udp.send(
        server,
        DnsClient.queryWire(name(name), Type.MX),
        TEN_SECONDS,
        new UdpTransport.Receiver() {
          @Override
          public void answered(byte[] wire) {
            result.complete(wire);
            if (before != null) {
              before.answered(wire);
            }
          }

          @Override
          public void failed(IOException error) {
            result.completeExceptionally(error);
          }
        });
    return result;
  }

  /** The wire answer of one query sent without recursion straight to {@code server}. */
  private static CompletableFuture<byte[]> sendDirect(UdpTransport udp, InetSocketAddress server, String name) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    udp.sendDirect(server, DnsClient.queryWire(name(name), Type.MX, false, false), TEN_SECONDS, into(result));
    return result;
  }

  /** A receiver that completes {@code result} with the answer, or exceptionally with the failure. */
  private static UdpTransport.Receiver into(CompletableFuture<byte[]> result) {
    return new UdpTransport.Receiver() {
      @Override
      public void answered(byte[] wire) {
        result.complete(wire);
      }

      @Override
      public void failed(IOException error) {
        result.completeExceptionally(error);
      }
    };
  }

  private static byte[] answer(CompletableFuture<byte[]> pending) throws Exception {
    return pending.get(20, TimeUnit.SECONDS);
  }

  private static ScriptedDnsServer answering() {
    return ScriptedDnsServer.start(
        query ->
            List.of(
                ScriptedDnsServer.answer(query, new MXRecord(query.getQuestion().getName(), DClass.IN, 60, 10, name("mx.example.test")))
                    .toWire()));
  }

  @Test
  void aSocketCarriesALimitedNumberOfQueriesThenANewSourcePortTakesOver() throws Exception {
    ScriptedDnsServer server = closed(answering());
    UdpTransport udp = closed(new UdpTransport(1, 5, true));
    for (int i = 0; i < 20; i++) {
      assertThat(new Message(answer(send(udp, server.address(), "example.test", null))).getRcode()).isZero();
    }
    long ports = server.received().stream().mapToInt(ScriptedDnsServer.Received::sourcePort).distinct().count();
    assertThat(ports).as("20 queries, 5 per socket").isEqualTo(4);
  }

  @Test
  void aQueryWhoseIdIsInFlightOnEverySocketGoesOutUnderAnotherId() throws Exception {
    // the server leaves the first query unanswered, so its ID stays taken on the only socket
    ScriptedDnsServer server =
        closed(
            ScriptedDnsServer.start(
                query ->
                    query.getQuestion().getName().equals(name("silent.example.test"))
                        ? List.of()
                        : List.of(ScriptedDnsServer.answer(query, new MXRecord(query.getQuestion().getName(), DClass.IN, 60, 10, name("mx.example.test"))).toWire())));
    UdpTransport udp = closed(new UdpTransport(1, true));
    byte[] first = DnsClient.queryWire(name("silent.example.test"), Type.MX);
    udp.send(server.address(), first, TEN_SECONDS, into(new CompletableFuture<>()));
    Await.until("the first query at the server", Duration.ofSeconds(10), () -> server.received().size() == 1);
    byte[] second = DnsClient.queryWire(name("example.test"), Type.MX);
    second[0] = first[0]; // the same ID, as a random draw may give
    second[1] = first[1];
    CompletableFuture<byte[]> answered = new CompletableFuture<>();
    udp.send(server.address(), second, TEN_SECONDS, into(answered));

    Message answer = new Message(answer(answered));
    assertThat(answer.getSection(org.xbill.DNS.Section.ANSWER)).hasSize(1);
    int sent = server.received().get(1).query().getHeader().getID();
    assertThat(sent).as("sent under a fresh ID").isNotEqualTo(new Message(first).getHeader().getID());
    assertThat(answer.getHeader().getID()).isEqualTo(sent);
    assertThat(second[0] == first[0] && second[1] == first[1]).as("the caller's wire query is left as it was").isTrue();
  }

  @Test
  void queriesToManyServersShareOneUnconnectedSocketAndEachAnswerComesFromItsServer() throws Exception {
    List<ScriptedDnsServer> nameservers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nameservers.add(closed(answering()));
    }
    UdpTransport udp = closed(new UdpTransport(1, true));
    List<CompletableFuture<byte[]>> answers = new ArrayList<>();
    for (ScriptedDnsServer ns : nameservers) {
      answers.add(sendDirect(udp, ns.address(), "example.test"));
    }
    for (CompletableFuture<byte[]> a : answers) {
      assertThat(new Message(answer(a)).getSection(org.xbill.DNS.Section.ANSWER)).hasSize(1);
    }
    assertThat(nameservers.stream().mapToInt(ns -> ns.received().getFirst().sourcePort()).distinct().count())
        .as("20 servers, one socket").isEqualTo(1);
  }

  @Test
  void anAnswerFromAnotherAddressThanTheQueriedServerIsDropped() throws Exception {
    try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        DatagramSocket forger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(10_000);
      UdpTransport udp = closed(new UdpTransport(1, true));
      CompletableFuture<byte[]> pending = sendDirect(udp, new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), "example.test");
      java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[512], 512);
      server.receive(packet);
      Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
      assertThat(query.getHeader().getFlag(org.xbill.DNS.Flags.RD)).as("asked without recursion").isFalse();
      byte[] forged = ScriptedDnsServer.answer(query, new MXRecord(query.getQuestion().getName(), DClass.IN, 60, 10, name("evil.example"))).toWire();
      forger.send(new java.net.DatagramPacket(forged, forged.length, packet.getSocketAddress()));
      byte[] real = ScriptedDnsServer.answer(query, new MXRecord(query.getQuestion().getName(), DClass.IN, 60, 10, name("mx.example.test"))).toWire();
      server.send(new java.net.DatagramPacket(real, real.length, packet.getSocketAddress()));
      MXRecord mx = (MXRecord) new Message(answer(pending)).getSection(org.xbill.DNS.Section.ANSWER).getFirst();
      assertThat(mx.getTarget()).isEqualTo(name("mx.example.test"));
    }
  }

  @Test
  void aPortUnreachableOnASharedSocketFailsNoQueryWhoseServerStillAnswers() throws Exception {
    TestDnsServer server = closed(TestDnsServer.start());
    server.load("example.test", "@ MX 10 mx1\n");
    server.fault(q -> q.is("example.test", Type.MX), Fault.delay(Duration.ofSeconds(3)), 3); // the first sends only
    UdpTransport udp = closed(new UdpTransport(1, true));
    List<CompletableFuture<byte[]>> pending = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pending.add(send(udp, server.address(), "example.test", null));
    }

    udp.portUnreachable(server.address()); // as a forged ICMP error would: the server is fine

    for (CompletableFuture<byte[]> p : pending) {
      assertThat(new Message(answer(p)).getSection(org.xbill.DNS.Section.ANSWER)).hasSize(1);
    }
    assertThat(server.count("example.test", Type.MX)).as("each sent again on a socket of its own").isEqualTo(6);
  }

  @Test
  void aPortUnreachableFromAServerThatIsDownStillFailsItsQueryAtOnce() throws Exception {
    int closedPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    UdpTransport udp = closed(new UdpTransport(2, true));
    CompletableFuture<byte[]> pending = send(udp, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort), "example.test", null);

    ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> answer(pending));
    assertThat(failure.getCause()).as("not a timeout after 10 s").isInstanceOf(PortUnreachableException.class);
  }

  @Test
  void theReceiverGoesOnAfterTheHandlingOfAnAnswerThrowsAnError() throws Exception {
    ScriptedDnsServer server = closed(answering());
    UdpTransport udp = closed(new UdpTransport(1, true)); // one socket, one receiver thread
    UdpTransport.Receiver broken =
        new UdpTransport.Receiver() {
          @Override
          public void answered(byte[] wire) {
            throw new AssertionError("a bug in handling an answer");
          }

          @Override
          public void failed(IOException error) {}
        };
    answer(send(udp, server.address(), "first.example.test", broken));

    assertThat(new Message(answer(send(udp, server.address(), "second.example.test", null))).getQuestion().getName())
        .isEqualTo(name("second.example.test"));
  }

  @Test
  void aLateAnswerToAQueryThatTimedOutIsDropped() throws Exception {
    TestDnsServer server = closed(TestDnsServer.start());
    server.load("example.test", "@ MX 10 mx1\n");
    server.fault(q -> q.is("late.example.test", Type.MX), Fault.delay(Duration.ofMillis(500)));
    UdpTransport udp = closed(new UdpTransport(1, true));
    CompletableFuture<byte[]> late = new CompletableFuture<>();
    udp.send(
        server.address(),
        DnsClient.queryWire(name("late.example.test"), Type.MX),
        Duration.ofMillis(50).toNanos(),
        new UdpTransport.Receiver() {
          @Override
          public void answered(byte[] wire) {
            late.complete(wire);
          }

          @Override
          public void failed(IOException error) {
            late.completeExceptionally(error);
          }
        });
    ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> answer(late));
    assertThat(failure.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
    // the next query on the same socket gets its own answer, not the late one
    assertThat(new Message(answer(send(udp, server.address(), "example.test", null))).getQuestion().getName())
        .isEqualTo(name("example.test"));
  }
}
