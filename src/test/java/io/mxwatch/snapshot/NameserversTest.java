package io.mxwatch.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Audit;
import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.Finding;
import io.mxwatch.audit.FindingCode;
import io.mxwatch.audit.Severity;
import io.mxwatch.audit.Status;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * The zone's nameservers asked one by one: several in-JVM servers on loopback addresses of their
 * own, one port for all (as nameservers share 53), each serving its own version of the zone, with
 * a parent zone that delegates to them; the resolver is the fixture's server.
 */
class NameserversTest {
  private static final String DOMAIN = CheckFixture.DOMAIN;
  /** The zone as the primary serves it; a secondary behind serves OLD. */
  private static final String CURRENT = "@ SOA ns1 hostmaster 2026120702 3600 600 86400 300\n" + CheckFixture.TWO_EXCHANGES;
  private static final String OLD = "@ SOA ns1 hostmaster 2026120701 3600 600 86400 300\n" + CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", "");

  private final CheckFixture f = new CheckFixture().withoutSmtp();
  private final List<TestDnsServer> servers = new ArrayList<>();

  @AfterEach
  void close() {
    f.close();
  }

  private TestDnsServer parentServer;

  /** See {@link CheckFixture#nameservers}; the resolver serves the zone as the primary does. */
  private void nameservers(List<String> parent, String... zones) {
    servers.addAll(f.nameservers(parent, zones));
    parentServer = servers.getFirst();
    f.zone(DOMAIN, CURRENT);
  }

  private Snapshot snapshot() {
    return f.snapshot(DOMAIN);
  }

  private static List<Finding> nsFindings(Audit audit) {
    return audit.findings().stream().filter(x -> x.code().name().startsWith("NS_")).toList();
  }

  @Test
  void nameserversThatAgreeGiveTheirViewAndNoFinding() {
    nameservers(null, CURRENT, CURRENT);
    Snapshot s = snapshot();
    Authority a = s.authority();
    assertThat(a.zone()).isEqualTo(DOMAIN);
    assertThat(a.nameservers()).containsExactly("ns1.example.test", "ns2.example.test");
    assertThat(a.parentNameservers()).containsExactly("ns1.example.test", "ns2.example.test");
    assertThat(a.parentDetail()).contains("ns.test (127.0.9.1) of test");
    assertThat(a.servers()).extracting(Authority.Server::address).containsExactly("127.0.11.1", "127.0.12.1");
    assertThat(a.servers()).allSatisfy(v -> {
      assertThat(v.outcome()).isEqualTo("answered");
      assertThat(v.serial()).isEqualTo(2026120702L);
      assertThat(v.mx()).containsExactly("10 mx1.example.test", "20 mx2.example.test");
      assertThat(v.mxTtl()).isEqualTo(300L);
      assertThat(v.spf()).containsExactly("v=spf1 mx -all");
      assertThat(v.dmarc()).containsExactly("v=DMARC1; p=reject");
    });
    assertThat(nsFindings(new Auditor().audit(s))).isEmpty();
    assertThat(s.lookups()).as("the view's lookups are not the domain's").noneMatch(l -> l.type().equals("SOA") || l.type().equals("NS"));
    for (TestDnsServer ns : servers.subList(1, 3)) {
      assertThat(ns.count(DOMAIN, Type.MX)).as("asked once, directly").isEqualTo(1);
    }
  }

  @Test
  void aSecondaryBehindGivesTheOldMxSetAndSerial() {
    nameservers(null, CURRENT, OLD);
    Audit audit = new Auditor().audit(snapshot());
    assertThat(nsFindings(audit)).extracting(Finding::code).containsExactlyInAnyOrder(FindingCode.NS_INCONSISTENT_MX, FindingCode.NS_SERIAL_DIFFERS);
    Finding mx = nsFindings(audit).stream().filter(x -> x.code() == FindingCode.NS_INCONSISTENT_MX).findFirst().orElseThrow();
    assertThat(mx.severity()).isEqualTo(Severity.WARNING);
    assertThat(mx.subject()).isEqualTo("MX " + DOMAIN);
    assertThat(mx.message())
        .contains("ns1.example.test (127.0.11.1) says 10 mx1.example.test, 20 mx2.example.test")
        .contains("ns2.example.test (127.0.12.1) says 10 mx1.example.test");
    Finding serial = nsFindings(audit).stream().filter(x -> x.code() == FindingCode.NS_SERIAL_DIFFERS).findFirst().orElseThrow();
    assertThat(serial.message()).contains("serial 2026120702 at the newest").contains("ns2.example.test (127.0.12.1) at 2026120701 (1 behind)");
  }

  @Test
  void spfAndDmarcDisagreementsAreNamed() {
    nameservers(null, CURRENT, CURRENT.replace("v=spf1 mx -all", "v=spf1 mx ~all").replace("p=reject", "p=none"));
    assertThat(nsFindings(new Auditor().audit(snapshot())))
        .extracting(Finding::code, Finding::subject)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(FindingCode.NS_INCONSISTENT_SPF, "SPF " + DOMAIN),
            org.assertj.core.groups.Tuple.tuple(FindingCode.NS_INCONSISTENT_DMARC, "DMARC _dmarc." + DOMAIN));
  }

  @Test
  void lameSilentAndRefusingServersAreFindingsNotFailedLookups() {
    nameservers(null, CURRENT, CURRENT, CURRENT, CURRENT);
    servers.get(2).fault(q -> true, Fault.notAuthoritative());
    servers.get(3).fault(q -> true, Fault.drop());
    servers.get(4).fault(q -> true, Fault.refused());
    f.dnsTimeout(java.time.Duration.ofMillis(300), 0);
    Audit audit = new Auditor().audit(snapshot());
    assertThat(nsFindings(audit))
        .extracting(Finding::code, Finding::subject)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(FindingCode.NS_NOT_AUTHORITATIVE, "ns2.example.test (127.0.12.1)"),
            org.assertj.core.groups.Tuple.tuple(FindingCode.NS_NOT_ANSWERING, "ns3.example.test (127.0.13.1)"),
            org.assertj.core.groups.Tuple.tuple(FindingCode.NS_NOT_ANSWERING, "ns4.example.test (127.0.14.1)"));
    assertThat(nsFindings(audit)).filteredOn(x -> x.subject().startsWith("ns3")).singleElement().satisfies(x -> assertThat(x.message()).contains("timeout"));
    assertThat(nsFindings(audit)).filteredOn(x -> x.subject().startsWith("ns4")).singleElement().satisfies(x -> assertThat(x.message()).contains("refused"));
    assertThat(audit.findings()).noneMatch(x -> x.code() == FindingCode.DNS_LOOKUP_FAILED);
    assertThat(audit.status()).as("the domain's own records are known").isEqualTo(Status.WARNING);
  }

  @Test
  void noServerAnsweringIsCritical() {
    nameservers(null, CURRENT, CURRENT);
    servers.get(1).fault(q -> true, Fault.refused());
    servers.get(2).fault(q -> true, Fault.notAuthoritative());
    Audit audit = new Auditor().audit(snapshot());
    assertThat(nsFindings(audit)).anySatisfy(x -> {
      assertThat(x.code()).isEqualTo(FindingCode.NS_NONE_ANSWERING);
      assertThat(x.severity()).isEqualTo(Severity.CRITICAL);
    });
    assertThat(audit.status()).isEqualTo(Status.CRITICAL);
  }

  @Test
  void glueThatLiesAtTheParentIsNotUsed() {
    nameservers(null, CURRENT, CURRENT);
    // the parent's glue sends ns2 to a silent address; the zone's own A record is what counts
    parentServer.load("test", "ns2.example A 127.0.0.99\n");
    Snapshot s = snapshot();
    assertThat(s.authority().servers()).extracting(Authority.Server::address).containsExactly("127.0.11.1", "127.0.12.1");
    assertThat(nsFindings(new Auditor().audit(s))).isEmpty();
  }

  @Test
  void theParentDelegatingElsewhereIsAMismatch() {
    nameservers(List.of("ns1.example.test", "ns9.old-provider.test"), CURRENT, CURRENT);
    Finding mismatch = nsFindings(new Auditor().audit(snapshot())).stream().filter(x -> x.code() == FindingCode.NS_PARENT_MISMATCH).findFirst().orElseThrow();
    assertThat(mismatch.subject()).isEqualTo(DOMAIN);
    assertThat(mismatch.message()).contains("only at the parent: ns9.old-provider.test").contains("only in the zone: ns2.example.test");
  }

  @Test
  void aSingleNameserverAndOneNetworkAreNamed() {
    nameservers(null, CURRENT);
    assertThat(nsFindings(new Auditor().audit(snapshot()))).extracting(Finding::code).containsExactly(FindingCode.NS_SINGLE);
    f.zone(DOMAIN, "@ NS ns1\n@ NS ns1b\nns1b A 127.0.11.2\n");
    try (TestDnsServer ns1b = TestDnsServer.start(address("127.0.11.2"), parentServer.port())) {
      ns1b.load(DOMAIN, CURRENT);
      assertThat(nsFindings(new Auditor().audit(snapshot()))).extracting(Finding::code).contains(FindingCode.NS_SAME_NETWORK);
    }
  }

  @Test
  void nameserversWithoutAddressesOrInACnameLoopAreFindings() {
    nameservers(null, CURRENT, CURRENT);
    f.zone(DOMAIN, "@ NS ns1\n@ NS ns2\n@ NS gone\n@ NS loop\nloop CNAME loop2\nloop2 CNAME loop\n");
    f.dns.fault("ns2." + DOMAIN, Type.A, Fault.servfail());
    Audit audit = new Auditor().audit(snapshot());
    assertThat(nsFindings(audit)).filteredOn(x -> x.code() == FindingCode.NS_NO_ADDRESS).extracting(Finding::subject)
        .containsExactlyInAnyOrder("gone.example.test", "loop.example.test", "ns2.example.test");
    assertThat(audit.findings()).noneMatch(x -> x.code() == FindingCode.DNS_LOOKUP_FAILED);
  }

  @Test
  void thirteenNameserversAreAskedAndNoMoreWithABoundedNumberOfQueries() {
    String[] zones = new String[15];
    java.util.Arrays.fill(zones, CURRENT);
    nameservers(null, zones);
    Snapshot s = snapshot();
    assertThat(s.authority().nameservers()).as("the whole set, to compare with the parent's").hasSize(15);
    assertThat(s.authority().servers()).hasSize(Nameservers.MAX_NAMESERVERS).allMatch(Authority.Server::answered);
    long asked = servers.stream().mapToLong(ns -> ns.queries().size()).sum() + f.dns.queries().size();
    assertThat(asked).as("queries of the view and the domain's own lookups").isLessThanOrEqualTo(Nameservers.MAX_QUERIES + 20);
    assertThat(nsFindings(new Auditor().audit(s))).isEmpty();
  }

  private static java.net.InetAddress address(String literal) {
    try {
      return java.net.InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
