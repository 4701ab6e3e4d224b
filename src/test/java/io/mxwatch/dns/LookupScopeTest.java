package io.mxwatch.dns;

import static io.mxwatch.testing.TestDnsServer.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class LookupScopeTest {
  private final TestDnsServer server = TestDnsServer.start();
  private DnsClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  @Test
  void aCheckWithManyLookupsHoldsAFewOfTheClientsSlotsAndOthersGoPastIt() {
    for (int i = 0; i < 40; i++) {
      server.load("hostile.test", "h" + i + " A 127.0.0.1\n");
    }
    server.load("calm.test", "@ MX 10 mx\n");
    server.fault(q -> q.name().toString().endsWith("hostile.test."), Fault.delay(Duration.ofMillis(20)));
    client = new DnsClient(new DnsSettings(List.of(server.address()), Duration.ofSeconds(5), 0, LookupScope.MAX_IN_FLIGHT + 4), Runnable::run);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    LookupScope hostile = new LookupScope(client, deadline);
    LookupScope calm = new LookupScope(client, deadline);

    List<CompletableFuture<DnsOutcome>> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(hostile.lookup(name("h" + i + ".hostile.test"), Type.A));
      assertThat(client.inFlight()).isLessThanOrEqualTo(LookupScope.MAX_IN_FLIGHT);
    }
    CompletableFuture<DnsOutcome> one = calm.lookup(name("calm.test"), Type.MX);
    assertThat(client.queued()).as("the other check's lookup waits behind none of the 40").isZero();

    assertThat(one.join()).isInstanceOf(DnsOutcome.Answer.class);
    assertThat(many).allSatisfy(f -> assertThat(f.join()).isInstanceOf(DnsOutcome.Answer.class));
    assertThat(hostile.record()).hasSize(40).allMatch(l -> l.outcome() == DnsStatus.RECORDS);
  }
}
