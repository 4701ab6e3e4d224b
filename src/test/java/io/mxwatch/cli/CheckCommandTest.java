package io.mxwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mxwatch.testing.Cli;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import io.mxwatch.testing.TestSmtpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/** The check command end to end through Main: arguments, output formats, exit statuses, errors. */
class CheckCommandTest {
  private TestDnsServer dns;
  private final List<TestSmtpServer> smtp = new ArrayList<>();
  private int smtpPort;

  record Run(int status, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      smtpPort = s.getLocalPort();
    }
    dns = TestDnsServer.start();
    dns.load(
        "good.test",
        """
        @      MX 10 mx1
        @      MX 20 mx2
        mx1    A 127.0.0.2
        mx2    A 127.0.0.3
        @      TXT "v=spf1 mx -all"
        _dmarc TXT "v=DMARC1; p=reject"
        """);
    dns.load(
        "warn.test",
        """
        @      MX 10 mx1.good.test.
        @      TXT "v=spf1 mx ?all"
        _dmarc TXT "v=DMARC1; p=none"
        """);
    dns.load(
        "dead.test",
        """
        @      MX 10 mx1
        mx1    A 127.0.0.9
        @      TXT "v=spf1 -all"
        _dmarc TXT "v=DMARC1; p=reject"
        """);
    smtp.add(TestSmtpServer.start(InetAddress.getByName("127.0.0.2"), smtpPort, TestSmtpServer.wellBehaved()));
    smtp.add(TestSmtpServer.start(InetAddress.getByName("127.0.0.3"), smtpPort, TestSmtpServer.wellBehaved()));
  }

  @AfterEach
  void stop() {
    smtp.forEach(TestSmtpServer::close);
    dns.close();
  }

  private Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    boolean deny = all.remove("--default-deny");
    if (all.size() > 0 && all.get(0).equals("check") && !all.contains("--no-resolver-default")) {
      all.addAll(1, List.of("--resolver", "127.0.0.1:" + dns.port(), "--smtp-port", String.valueOf(smtpPort), "--tls-trust", io.mxwatch.testing.TestCa.shared().bundle().toString(), "--timeout", "400ms", "--retries", "0"));
      if (!deny) {
        all.addAll(1, List.of("--smtp-deny", "none")); // the test exchanges are on loopback
      }
    }
    all.remove("--no-resolver-default");
    Cli cli = Cli.run(Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC), all.toArray(String[]::new));
    return new Run(cli.status(), cli.out(), cli.err());
  }

  @Test
  void exchangesAtLoopbackOrPrivateAddressesAreNotProbedByDefaultAndSaySo() {
    int before = smtp.stream().mapToInt(TestSmtpServer::connections).sum();

    Run run = run("check", "good.test", "--default-deny");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.out()).startsWith("good.test CRITICAL - SMTP_ALL_UNREACHABLE");
    assertThat(run.out()).contains("SMTP_ADDRESS_NOT_PUBLIC").contains("127.0.0.2 is in 127.0.0.0/8 (loopback)");
    assertThat(run.out()).contains("not probed: in 127.0.0.0/8 (loopback)");
    assertThat(smtp.stream().mapToInt(TestSmtpServer::connections).sum()).as("no connection to a denied address").isEqualTo(before);
    assertThat(run("check", "good.test", "--default-deny", "--smtp-deny", "10.0.0.0/8").out()).startsWith("good.test OK");
    Run bad = run("check", "good.test", "--default-deny", "--smtp-deny", "10.0.0.0/33");
    assertThat(bad.status()).as("bad usage").isEqualTo(3);
    assertThat(bad.err()).contains("--smtp-deny: '10.0.0.0/33': the prefix length must be 0-32");
  }

  @Test
  void healthyDomainExitsZeroWithATextReport() {
    Run run = run("check", "good.test");
    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("good.test OK\n");
    assertThat(run.out()).contains("10 mx1.good.test  ttl 300  A 127.0.0.2");
    assertThat(run.out()).contains("smtp 127.0.0.2:" + smtpPort + " ok");
    assertThat(run.out()).contains("v=spf1 mx -all").contains("1/10 DNS lookups");
    assertThat(run.out()).contains("policy reject");
    assertThat(run.out()).contains("Findings: none");
    assertThat(run.out()).as("the time to the second, no fraction").containsPattern("\n  checked \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ in \\d+ ms\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void dkimSelectorsAreCheckedFromTheOptionOrTheConfig(@TempDir Path dir) throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String key = java.util.Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
    dns.load("good.test", TestDnsServer.txt("s1._domainkey", "v=DKIM1; p=" + key));

    Run run = run("check", "good.test", "--dkim-selector", "S1", "--dkim-selector", "gone");
    assertThat(run.status()).as(run.out()).isEqualTo(2);
    assertThat(run.out()).startsWith("good.test CRITICAL - DKIM_KEY_MISSING\n");
    assertThat(run.out()).containsPattern("\n  DKIM    s1  RSA 2048 bits, key SHA-256 [0-9a-f]{16}…\n          gone  none \\(nxdomain\\)\n");

    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "defaults: {dkim_selectors: [gone]}\ndomains:\n  - {name: good.test, dkim_selectors: [s1]}\n");
    assertThat(run("check", "--config", config.toString(), "good.test").out()).startsWith("good.test OK\n").contains("  DKIM    s1  RSA 2048 bits");
    assertThat(run("check", "--config", config.toString(), "warn.test").out()).as("an unlisted domain: the defaults'").contains("DKIM_KEY_MISSING");
    assertThat(run("check", "good.test").out()).as("no selector, no DKIM section").doesNotContain("DKIM");

    Run bad = run("check", "good.test", "--dkim-selector", "s1._domainkey.good.test");
    assertThat(bad.status()).isEqualTo(3);
    assertThat(bad.err()).contains("--dkim-selector: 's1._domainkey.good.test' is not a DKIM selector");
  }

  @Test
  void exitStatusIsTheWorstOverAllDomains() {
    assertThat(run("check", "warn.test").status()).isEqualTo(1);
    Run dead = run("check", "good.test", "dead.test", "warn.test");
    assertThat(dead.status()).isEqualTo(2);
    assertThat(dead.out()).contains("dead.test CRITICAL - SMTP_ALL_UNREACHABLE");
    assertThat(dead.out()).contains("3 domains: 1 ok, 1 warning, 1 critical, 0 unknown");
  }

  @Test
  void failedLookupExitsUnknown() {
    dns.fault("good.test", Type.MX, Fault.drop());
    Run run = run("check", "good.test");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.out()).startsWith("good.test UNKNOWN - DNS_LOOKUP_FAILED");
    assertThat(run.out()).doesNotContain("MX_NONE");
  }

  @Test
  void jsonIsOneArrayInInputOrder() throws Exception {
    Run run = run("check", "--format", "json", "warn.test", "good.test", "dead.test");
    JsonNode array = run.json();
    assertThat(array.isArray()).isTrue();
    assertThat(array).extracting(n -> n.get("domain").asText()).containsExactly("warn.test", "good.test", "dead.test");
    JsonNode good = array.get(1);
    assertThat(good.get("status").asText()).isEqualTo("ok");
    assertThat(good.get("checked_at").asText()).isEqualTo("2026-11-23T10:00:00Z");
    assertThat(good.at("/mx/outcome").asText()).isEqualTo("records");
    assertThat(good.at("/mx/mode").asText()).isEqualTo("mx");
    assertThat(good.at("/mx/hosts/0/exchange").asText()).isEqualTo("mx1.good.test");
    assertThat(good.at("/mx/hosts/0/preference").asInt()).isEqualTo(10);
    assertThat(good.at("/mx/hosts/0/ttl").asInt()).isEqualTo(300);
    assertThat(good.at("/mx/hosts/0/addresses/0/address").asText()).isEqualTo("127.0.0.2");
    assertThat(good.at("/mx/authoritative").asBoolean()).isTrue();
    assertThat(good.at("/mx/hosts/0").has("null")).as("helpers are not serialised").isFalse();
    assertThat(good.at("/mx/hosts/0").has("ip_literal")).isFalse();
    assertThat(good.at("/spf/complete").asBoolean()).isTrue();
    assertThat(good.at("/spf/record/text").asText()).isEqualTo("v=spf1 mx -all");
    assertThat(good.at("/spf/dns_lookups").asInt()).isEqualTo(1);
    assertThat(good.at("/dmarc/record/policy").asText()).isEqualTo("reject");
    assertThat(good.at("/smtp/0/address").asText()).isEqualTo("127.0.0.2");
    assertThat(good.at("/smtp/0/exchanges/0").asText()).isEqualTo("mx1.good.test");
    assertThat(good.at("/smtp/0/outcome").asText()).isEqualTo("ok");
    assertThat(good.at("/smtp/0/extensions")).isNotEmpty();
    assertThat(good.get("findings")).isEmpty();
    assertThat(good.get("lookups")).isNotEmpty();
    JsonNode dead = array.get(2);
    assertThat(dead.at("/smtp/0/outcome").asText()).isEqualTo("refused");
    assertThat(dead.get("findings")).anySatisfy(f -> {
      assertThat(f.get("code").asText()).isEqualTo("SMTP_ALL_UNREACHABLE");
      assertThat(f.get("severity").asText()).isEqualTo("critical");
      assertThat(f.get("subject").asText()).isEqualTo("dead.test");
      assertThat(f.get("message").asText()).isNotBlank();
    });
  }

  @Test
  void jsonlIsOneObjectPerLine(@TempDir Path dir) throws Exception {
    Path list = dir.resolve("domains.txt");
    Files.writeString(list, "# watched domains\ngood.test\n\nwarn.test   # the weak one\nDEAD.test.\n");
    Run run = run("check", "--format", "jsonl", "--no-smtp", "--file", list.toString());
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(3);
    ObjectMapper mapper = new ObjectMapper();
    assertThat(lines).extracting(l -> mapper.readTree(l).get("domain").asText()).containsExactlyInAnyOrder("good.test", "warn.test", "dead.test");
    assertThat(lines).allSatisfy(l -> assertThat(mapper.readTree(l).get("smtp_probed").asBoolean()).isFalse());
  }

  @Test
  void badDomainIsAOneLineErrorWithStatus3() {
    Run run = run("check", "good.test", "not..valid");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().lines()).singleElement().asString().isEqualTo("mxwatch check: 'not..valid' is not a domain name: empty label");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void badLineInTheDomainsFileNamesTheLine(@TempDir Path dir) throws Exception {
    Path list = dir.resolve("domains.txt");
    Files.writeString(list, "good.test\n127.0.0.1\n");
    Run run = run("check", "--file", list.toString());
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip()).isEqualTo("mxwatch check: " + list + ":2: '127.0.0.1' is not a domain name: an IP address or a numeric top-level label");
  }

  @Test
  void unreadableFileIsAOneLineError(@TempDir Path dir) {
    Run run = run("check", "--file", dir.resolve("missing.txt").toString());
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip()).isEqualTo("mxwatch check: cannot read domains file " + dir.resolve("missing.txt") + ": no such file");
  }

  @Test
  void malformedResolverIsAOneLineError() {
    Run run = run("check", "--no-resolver-default", "--resolver", "dns.example:53", "good.test");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip())
        .isEqualTo("mxwatch check: --resolver: 'dns.example:53' is not a resolver address (IP, IP:PORT or [IPv6]:PORT): not an IP address (host names are not accepted for resolvers)");
  }

  @Test
  void unknownOptionIsAUsageErrorWithStatus3() {
    Run run = run("check", "--bogus", "good.test");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().lines()).singleElement().asString().startsWith("mxwatch check: Unknown option: '--bogus'");
  }

  @Test
  void noDomainIsAUsageError() {
    Run run = run("check");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip()).isEqualTo("mxwatch check: no domain to check: name domains or give --file");
  }

  @Test
  void badDurationIsAOneLineError() {
    Run run = run("check", "--deadline", "soon", "good.test");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip()).isEqualTo("mxwatch check: --deadline: 'soon' is not a duration (e.g. 500ms, 2s, 5m, 1h, 1d)");
  }

  @Test
  void configFileSuppliesResolversAndOptionsOverrideIt(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "dns:\n  resolvers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 500ms\nsmtp:\n  enabled: false\n");
    Run run = run("check", "--no-resolver-default", "--config", config.toString(), "--format", "json", "good.test");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.json().get(0).get("smtp_probed").asBoolean()).isFalse();
  }

  @Test
  void badConfigNamesFileLineAndKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(config, "dns:\n  timeout: 2s\n  retrys: 3\n");
    Run run = run("check", "--config", config.toString(), "good.test");
    assertThat(run.status()).isEqualTo(3);
    assertThat(run.err().strip()).startsWith("mxwatch check: mxwatch.yaml:3: unknown key 'dns.retrys' (known: case_randomization, dnssec, max_in_flight, resolvers, retries, timeout)");
  }

  @Test
  void versionAndHelpExitZero() {
    assertThat(run("--version").status()).isZero();
    Run help = run("check", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--resolver=ADDR[:PORT]").contains("Exit status");
  }
}
