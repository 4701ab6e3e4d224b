package io.mxwatch.testing;

import io.mxwatch.audit.Audit;
import io.mxwatch.audit.Auditor;
import io.mxwatch.dns.DnsClient;
import io.mxwatch.dns.DnsSettings;
import io.mxwatch.smtp.SmtpProber;
import io.mxwatch.smtp.SmtpSettings;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.snapshot.Snapshotter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A whole check inside the test JVM: the in-JVM DNS server as the resolver, in-JVM SMTP servers on
 * loopback addresses (127.0.0.x and ::1) sharing one port, and the real Snapshotter and Auditor.
 */
public final class CheckFixture implements AutoCloseable {
  public static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  /** The domain of {@link #TWO_EXCHANGES}. */
  public static final String DOMAIN = "example.test";

  /** Two exchanges with IPv4 addresses, strict SPF and DMARC: a domain to change in tests. */
  public static final String TWO_EXCHANGES =
      """
      @        MX 10 mx1
      @        MX 20 mx2
      mx1      A  127.0.0.2
      mx2      A  127.0.0.3
      @        TXT "v=spf1 mx -all"
      _dmarc   TXT "v=DMARC1; p=reject"
      """;

  public final TestDnsServer dns = TestDnsServer.start();
  private List<String> dkimSelectors = List.of();
  /** The nameservers of {@link #nameservers}, closed with the fixture. */
  private final List<TestDnsServer> nameservers = new ArrayList<>();
  /** The nameservers' port when they are asked; 0: they are not. */
  private int nameserverPort;
  public final int smtpPort = freePort();
  /** The port of every HTTPS server of the fixture (MTA-STS policy hosts), standing for 443. */
  public final int httpsPort = freePort();
  private final List<TestSmtpServer> servers = new ArrayList<>();
  private final List<TestHttpsServer> https = new ArrayList<>();
  private final List<io.mxwatch.tls.MtaStsFetcher> fetchers = new ArrayList<>();
  private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
  private final List<DnsClient> clients = new ArrayList<>();
  private Duration dnsTimeout = Duration.ofMillis(400);
  private int dnsRetries = 0;
  private boolean probeSmtp = true;
  private boolean ipv6 = true;
  private boolean tls = true;
  /** DNSSEC trust anchors (zone-file text); null: no validation. */
  private String trustAnchors;
  private io.mxwatch.net.AddressRanges deny = io.mxwatch.net.AddressRanges.NONE; // the test servers are on loopback

  /** Starts an SMTP server on {@code ip} at the fixture's SMTP port. */
  public CheckFixture smtp(String ip, TestSmtpServer.Behaviour behaviour) {
    try {
      servers.add(TestSmtpServer.start(InetAddress.getByName(ip), smtpPort, behaviour));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Starts an HTTPS server on {@code ip} at the fixture's HTTPS port. */
  public TestHttpsServer https(String ip, java.util.function.BiFunction<String, TestCa.Key, TestCa.Leaf> certs, TestHttpsServer.Reply reply) {
    try {
      TestHttpsServer server = new TestHttpsServer(InetAddress.getByName(ip), httpsPort, certs, reply);
      https.add(server);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * MTA-STS for {@code domain}: its {@code _mta-sts} record with {@code id}, {@code mta-sts.<domain>}
   * at 127.0.0.5, and there a policy host serving {@code policy} with a certificate of the test CA.
   */
  public TestHttpsServer mtaSts(String domain, String id, String policy) {
    zone(domain, "_mta-sts TXT \"v=STSv1; id=" + id + "\"\nmta-sts A 127.0.0.5\n");
    return https("127.0.0.5", TestCa.shared().forEveryName(), TestHttpsServer.Reply.policy(policy));
  }

  public CheckFixture zone(String origin, String text) {
    dns.load(origin, text);
    return this;
  }

  /**
   * Nameservers for {@link #DOMAIN}: ns1..nsN at 127.0.(10+i).1, one port for all (as nameservers
   * share 53), each serving its own version of the zone ({@code zones[i]}, NS records added); the
   * resolver's zone names them, and the parent zone "test", served at 127.0.9.1, delegates to
   * {@code parent} (null: the same set). Turns asking the nameservers on. Returns the servers, the
   * parent's first.
   */
  public List<TestDnsServer> nameservers(List<String> parent, String... zones) {
    List<String> addresses = new ArrayList<>();
    addresses.add("127.0.9.1");
    for (int i = 1; i <= zones.length; i++) {
      addresses.add("127.0." + (10 + i) + ".1");
    }
    List<TestDnsServer> started = TestDnsServer.startAll(addresses);
    nameservers.addAll(started);
    StringBuilder ns = new StringBuilder();
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= zones.length; i++) {
      ns.append("@ NS ns").append(i).append('\n').append("ns").append(i).append(" A 127.0.").append(10 + i).append(".1\n");
      names.add("ns" + i + "." + DOMAIN);
      started.get(i).load(DOMAIN, zones[i - 1]);
    }
    zone(DOMAIN, "@ SOA ns1 hostmaster 1 3600 600 86400 300\n" + ns); // the zone's apex, as the resolver gives it
    zone("test", "@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.9.1\n");
    StringBuilder delegation = new StringBuilder("@ SOA ns hostmaster 1 3600 600 86400 300\n");
    for (String name : parent != null ? parent : names) {
      delegation.append("example NS ").append(name).append(".\n");
    }
    started.getFirst().load("test", delegation.toString());
    authoritative(started.getFirst().port());
    return started;
  }

  /** Asks the zone's nameservers too, on {@code port} (where the test's nameservers listen). */
  public CheckFixture authoritative(int port) {
    nameserverPort = port;
    return this;
  }

  /** Checks the DKIM keys of these selectors too. */
  public CheckFixture dkim(String... selectors) {
    dkimSelectors = List.of(selectors);
    return this;
  }

  public CheckFixture withoutSmtp() {
    probeSmtp = false;
    return this;
  }

  /** Probes without STARTTLS handshakes (STARTTLS is still seen in the EHLO list). */
  public CheckFixture withoutTls() {
    tls = false;
    return this;
  }

  /**
   * Validates with these trust anchors (e.g. {@link SignedZone#trustAnchor()}) and looks up TLSA
   * records, judging signatures at {@link #NOW}.
   */
  public CheckFixture dnssec(String anchors) {
    this.trustAnchors = anchors;
    return this;
  }

  public CheckFixture withoutIpv6() {
    ipv6 = false;
    return this;
  }

  /** Exchange addresses in {@code ranges} are not probed (smtp.deny); none by default here. */
  public CheckFixture deny(io.mxwatch.net.AddressRanges ranges) {
    deny = ranges;
    return this;
  }

  public CheckFixture dnsTimeout(Duration timeout, int retries) {
    this.dnsTimeout = timeout;
    this.dnsRetries = retries;
    return this;
  }

  /**
   * The start of a daemon's configuration against this fixture's DNS server: SMTP probes off,
   * checks every second, two confirmations, the store in {@code dataDir}. The caller adds
   * {@code http:}, {@code domains:} and the rest.
   */
  public String daemonConfig(java.nio.file.Path dataDir) {
    return """
        dns: {resolvers: ["127.0.0.1:%d"], timeout: 400ms, retries: 0}
        smtp: {enabled: false}
        defaults: {interval: 1s, confirmations: 2}
        store: {data_dir: %s}
        """.formatted(dns.port(), dataDir);
  }

  public Snapshotter snapshotter() {
    DnsClient client =
        new DnsClient(new DnsSettings(List.of(dns.address()), dnsTimeout, dnsRetries, 64), Runnable::run);
    clients.add(client);
    SmtpProber prober =
        new SmtpProber(
            (tls ? TestCa.trusting(SmtpSettings.defaults()) : SmtpSettings.defaults().withTls(new SmtpSettings.Tls(false, false, null)))
                .withPort(smtpPort)
                .withHeloName("check.mxwatch.test")
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(700), Duration.ofSeconds(2))
                .withIpv6(ipv6)
                .withDeny(deny));
    io.mxwatch.tls.MtaStsFetcher fetcher = new io.mxwatch.tls.MtaStsFetcher(io.mxwatch.tls.TrustStores.fromFile(TestCa.shared().bundle()), httpsPort, Duration.ofSeconds(2));
    fetchers.add(fetcher);
    return new Snapshotter(
        client,
        prober,
        new Snapshotter.Settings(Duration.ofSeconds(10), probeSmtp, nameserverPort != 0, nameserverPort),
        Clock.fixed(NOW, ZoneOffset.UTC),
        tasks,
        fetcher,
        trustAnchors == null
            ? null
            : new io.mxwatch.dns.DnssecValidator(client, trustAnchors.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "test anchors", Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  public Snapshot snapshot(String domain) {
    return snapshotter().takeAsync(domain, dkimSelectors).join();
  }

  public Audit audit(String domain) {
    return new Auditor().audit(snapshot(domain));
  }

  @Override
  public void close() {
    clients.forEach(DnsClient::close);
    servers.forEach(TestSmtpServer::close);
    https.forEach(TestHttpsServer::close);
    fetchers.forEach(io.mxwatch.tls.MtaStsFetcher::close);
    dns.close();
    nameservers.forEach(TestDnsServer::close);
    tasks.shutdownNow();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
