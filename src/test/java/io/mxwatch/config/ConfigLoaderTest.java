package io.mxwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void emptyFileGivesTheDefaults() throws Exception {
    assertThat(loader.parse("", "x.yaml")).isEqualTo(MxwatchConfig.defaults());
    assertThat(loader.parse("# nothing\n", "x.yaml")).isEqualTo(MxwatchConfig.defaults());
  }

  @Test
  void valuesAreRead() throws Exception {
    MxwatchConfig c =
        loader.parse(
            """
            dns:
              resolvers: ["127.0.0.1:5353", "[::1]"]
              timeout: 500ms
              retries: 0
            smtp:
              port: 2525
              helo_name: probe.example.net
              ipv6: false
            check:
              deadline: 1m
              concurrency: 10
            """,
            "x.yaml");
    assertThat(c.dns().resolvers()).hasSize(2);
    assertThat(c.dns().resolvers().get(0).getPort()).isEqualTo(5353);
    assertThat(c.dns().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.dns().retries()).isZero();
    assertThat(c.smtp().probe().port()).isEqualTo(2525);
    assertThat(c.smtp().probe().heloName()).isEqualTo("probe.example.net");
    assertThat(c.smtp().probe().ipv6()).isFalse();
    assertThat(c.smtp().enabled()).isTrue();
    assertThat(c.check().deadline()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.check().concurrency()).isEqualTo(10);
  }

  @Test
  void unknownKeyNamesLineAndKnownKeys() {
    assertThatThrownBy(() -> loader.parse("smtp:\n  port: 25\n  heloname: x\n", "m.yaml"))
        .hasMessage("m.yaml:3: unknown key 'smtp.heloname' (known: connect_timeout, deadline, deny, enabled, helo_name, ipv6, max_concurrent, port, read_timeout, tls)");
    assertThatThrownBy(() -> loader.parse("dnss:\n  timeout: 2s\n", "m.yaml"))
        .hasMessage("m.yaml:1: unknown key 'dnss' (known: alerts, check, defaults, dns, domains, domains_file, http, metrics, smtp, store)");
  }

  @Test
  void everyBadValueIsReportedWithItsLine() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    dns:
                      timeout: 2 seconds
                      retries: 99
                      resolvers:
                        - 127.0.0.1
                        - resolver.example
                    check:
                      deadline: 0s
                    """,
                    "m.yaml"))
        .hasMessage(
            String.join(
                "\n",
                "m.yaml:6: dns.resolvers[1]: 'resolver.example' is not a resolver address (IP, IP:PORT or [IPv6]:PORT): not an IP address (host names are not accepted for resolvers)",
                "m.yaml:2: dns.timeout: '2 seconds' is not a duration (e.g. 500ms, 2s, 5m, 1h, 1d)",
                "m.yaml:3: dns.retries: must be between 0 and 10, got 99",
                "m.yaml:8: check.deadline: must be between 100ms and 10m, got 0s"));
  }

  @Test
  void wrongTypesAreNamed() {
    assertThatThrownBy(() -> loader.parse("dns:\n  retries: many\n", "m.yaml"))
        .hasMessage("m.yaml:2: dns.retries: expected a whole number");
    assertThatThrownBy(() -> loader.parse("smtp:\n  enabled: sometimes\n", "m.yaml"))
        .hasMessage("m.yaml:2: smtp.enabled: expected true or false");
    assertThatThrownBy(() -> loader.parse("dns:\n  resolvers: 127.0.0.1\n", "m.yaml"))
        .hasMessage("m.yaml:2: dns.resolvers: expected a list");
  }

  @Test
  void brokenYamlIsReportedWithItsLine() {
    assertThatThrownBy(() -> loader.parse("dns:\n  timeout: [2s\n", "m.yaml"))
        .hasMessageStartingWith("m.yaml:")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void missingFileIsNamed() {
    assertThatThrownBy(() -> loader.load(java.nio.file.Path.of("/nonexistent/mxwatch.yaml")))
        .hasMessage("cannot read config file /nonexistent/mxwatch.yaml: no such file");
  }

  @Test
  void theShippedExampleIsValid() throws Exception {
    MxwatchConfig c = loader.load(java.nio.file.Path.of("config/mxwatch.yaml"));
    assertThat(c.watch().domains()).isNotEmpty();
  }

  @Test
  void dkimSelectorsComeFromTheDefaultsOrTheDomainAndAreChecked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("domains.txt"), "example.net\n");
    java.nio.file.Files.writeString(
        dir.resolve("mxwatch.yaml"),
        """
        defaults:
          dkim_selectors: [S1, 2026.mail, s1]
        domains:
          - example.org
          - name: example.info
            dkim_selectors: [google]
          - name: example.com
            dkim_selectors: []
        domains_file: domains.txt
        """);
    MxwatchConfig c = loader.load(dir.resolve("mxwatch.yaml"));
    assertThat(c.watch().dkimSelectors()).as("lowercase, each once").containsExactly("s1", "2026.mail");
    assertThat(c.watch().domains())
        .extracting(MxwatchConfig.Domain::dkimSelectors)
        .containsExactly(List.of("s1", "2026.mail"), List.of("google"), List.of(), List.of("s1", "2026.mail"));

    java.nio.file.Files.writeString(
        dir.resolve("bad.yaml"),
        """
        defaults:
          dkim_selectors: ["s1._domainkey.example.org"]
        domains:
          - name: example.org
            dkim_selectors: ["-bad", "ok"]
          - name: example.info
            dkim_selectors: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]
        """);
    assertThatThrownBy(() -> loader.load(dir.resolve("bad.yaml")))
        .hasMessageContaining("bad.yaml:2: defaults.dkim_selectors: 's1._domainkey.example.org' is not a DKIM selector: give the selector alone")
        .hasMessageContaining("domains[0].dkim_selectors: '-bad' is not a DKIM selector")
        .hasMessageContaining("domains[1].dkim_selectors: 17 selectors: at most 16");
  }

  @Test
  void domainsInlineWithOverridesAndFromAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("domains.txt"), "# list\nexample.net\nexample.org  # again, the inline entry wins\nExample.COM.\n");
    java.nio.file.Files.writeString(
        dir.resolve("mxwatch.yaml"),
        """
        defaults:
          interval: 10m
          confirmations: 3
        domains:
          - example.org
          - name: example.info
            cron: "0 0/15 * * * ?"
            confirmations: 1
            expect:
              mx: ["20 MX2.example.info.", "10 mx1.example.info"]
              dmarc_policy: Reject
              spf: "v=spf1 mx -all"
        domains_file: domains.txt
        """);
    MxwatchConfig c = loader.load(dir.resolve("mxwatch.yaml"));
    assertThat(c.watch().domains())
        .extracting(MxwatchConfig.Domain::name)
        .containsExactly("example.org", "example.info", "example.net", "example.com");
    MxwatchConfig.Domain org = c.watch().domains().get(0);
    assertThat(org.schedule()).isEqualTo(new MxwatchConfig.Schedule.Every(Duration.ofMinutes(10)));
    assertThat(org.confirmations()).isEqualTo(3);
    MxwatchConfig.Domain info = c.watch().domains().get(1);
    assertThat(info.schedule()).isEqualTo(new MxwatchConfig.Schedule.Cron("0 0/15 * * * ?"));
    assertThat(info.confirmations()).isEqualTo(1);
    assertThat(info.expect().mx()).containsExactly("10 mx1.example.info", "20 mx2.example.info");
    assertThat(info.expect().dmarcPolicy()).isEqualTo("reject");
    assertThat(info.expect().spf()).isEqualTo("v=spf1 mx -all");
    assertThat(c.watch().domains().get(2).expect()).isEqualTo(io.mxwatch.drift.Expectations.NONE);
  }

  @Test
  void hostileInputFilesAreRefusedWithTheLineAndNeverReadWhole(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path big = dir.resolve("big.yaml");
    try (var out = java.nio.file.Files.newOutputStream(big)) {
      byte[] comment = ("#" + "x".repeat(1022) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (int i = 0; i < 5 * 1024; i++) {
        out.write(comment); // 5 MiB of comments
      }
    }
    assertThatThrownBy(() -> loader.load(big)).hasMessageContaining("is larger than 4 MiB: keep long domain lists in a domains_file");
    java.nio.file.Files.writeString(dir.resolve("nul.yaml"), "dns:\n  timeout: 2s\n  retries: 1\u0000\n");
    assertThatThrownBy(() -> loader.load(dir.resolve("nul.yaml"))).hasMessage("nul.yaml:3: a NUL byte: this is not a text file");
    assertThatThrownBy(() -> loader.load(java.nio.file.Path.of("/dev/zero"))).hasMessageContaining("larger than 4 MiB");

    java.nio.file.Files.writeString(
        dir.resolve("domains.txt"),
        "bücher.example\n" + "a".repeat(10 * 1024 * 1024) + ".example\nok.example\nnul\u0000.example\n");
    java.nio.file.Files.writeString(dir.resolve("m.yaml"), "domains_file: domains.txt\n");
    assertThatThrownBy(() -> loader.load(dir.resolve("m.yaml")))
        .hasMessageContaining("domains.txt:2: a line of 10485768 characters: a domain name has at most 253")
        .hasMessageContaining("domains.txt:4: a NUL byte: this is not a text file")
        .satisfies(e -> assertThat(e.getMessage().length()).as("the long line is not repeated").isLessThan(2000));
    java.nio.file.Files.writeString(dir.resolve("domains.txt"), "bücher.example\nok.example\n");
    assertThat(loader.load(dir.resolve("m.yaml")).watch().domains())
        .extracting(MxwatchConfig.Domain::name)
        .as("an IDN is watched as its A-label")
        .containsExactly("xn--bcher-kva.example", "ok.example");
  }

  @Test
  void aDeferredDomainsFileIsReadOnlyWhenNeededAndGivesTheSameWatch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path domains = dir.resolve("domains.txt");
    java.nio.file.Files.writeString(domains, "example.net\nexample.org\nbad..example\n");
    java.nio.file.Files.writeString(
        dir.resolve("m.yaml"), "defaults: {confirmations: 3}\ndomains:\n  - name: example.org\n    confirmations: 1\ndomains_file: domains.txt\n");
    MxwatchConfig deferred = loader.loadDeferringDomainsFile(dir.resolve("m.yaml"));
    // an inline domain is found without the file, whose bad line is not seen yet
    assertThat(deferred.watch().domain("example.org")).map(MxwatchConfig.Domain::confirmations).contains(1);
    assertThat(deferred.watch().toString()).contains("not read yet");
    assertThatThrownBy(() -> deferred.watch().domain("example.net"))
        .isInstanceOf(MxwatchConfig.Watch.DomainsFileException.class)
        .hasMessage("domains.txt:3: 'bad..example' is not a domain name: empty label");
    assertThatThrownBy(() -> loader.load(dir.resolve("m.yaml"))).hasMessageContaining("domains.txt:3: 'bad..example'");

    java.nio.file.Files.writeString(domains, "example.net\nexample.org\n");
    MxwatchConfig lazy = loader.loadDeferringDomainsFile(dir.resolve("m.yaml"));
    assertThat(lazy.watch().domain("example.net")).map(MxwatchConfig.Domain::confirmations).contains(3);
    assertThat(lazy.watch()).isEqualTo(loader.load(dir.resolve("m.yaml")).watch());
    assertThat(lazy.watch().sortedNames()).containsExactly("example.net", "example.org");
    assertThat(lazy.watch().domains())
        .extracting(MxwatchConfig.Domain::name, MxwatchConfig.Domain::confirmations)
        .containsExactly(org.assertj.core.api.Assertions.tuple("example.org", 1), org.assertj.core.api.Assertions.tuple("example.net", 3));
  }

  @Test
  void aRelayPasswordIsNeverSentInClearUnlessTheConfigSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("relay.secret"), "hunter2\n");
    String yaml = "alerts:\n  from: mxwatch@example.org\n  to: [oncall@example.org]\n  relay: {host: 127.0.0.1, tls: none, username: mxwatch, password_file: relay.secret}\n";
    java.nio.file.Files.writeString(dir.resolve("m.yaml"), yaml);
    assertThatThrownBy(() -> loader.load(dir.resolve("m.yaml"))).hasMessageContaining("alerts.relay.tls: none would send the relay password in clear text");
    java.nio.file.Files.writeString(dir.resolve("m.yaml"), yaml.replace("password_file: relay.secret}", "password_file: relay.secret, plaintext_password: true}"));
    assertThat(loader.load(dir.resolve("m.yaml")).alerts().relay().password().value()).isEqualTo("hunter2");
  }

  @Test
  void theEnvironmentOverridesPathsAndSecretsAndIsNamedInErrors() throws Exception {
    ConfigLoader withEnv =
        new ConfigLoader(
            java.util.Map.of(
                "MXWATCH_DATA_DIR", "/var/lib/mxwatch",
                "MXWATCH_STORE_PASSWORD", "s3cret",
                "MXWATCH_HTTP_LISTEN", "[::1]:9800"));
    MxwatchConfig c = withEnv.parse("store:\n  data_dir: ./here\n  password: from-file\n", "m.yaml");
    assertThat(c.store().dataDir()).isEqualTo(java.nio.file.Path.of("/var/lib/mxwatch"));
    assertThat(c.store().password().value()).isEqualTo("s3cret");
    assertThat(c.store().toString()).doesNotContain("s3cret");
    assertThat(c.http().listen().getPort()).isEqualTo(9800);
    assertThat(withEnv.defaults().store().dataDir()).isEqualTo(java.nio.file.Path.of("/var/lib/mxwatch"));
    assertThatThrownBy(() -> new ConfigLoader(java.util.Map.of("MXWATCH_HTTP_LISTEN", "9725")).defaults())
        .hasMessage("environment variable MXWATCH_HTTP_LISTEN: '9725' is not a listen address: expected IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9725");
  }

  @Test
  void theRelayPasswordComesFromAFileOrTheEnvironmentNeverTheYaml(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("relay.secret"), "hunter2\n");
    String yaml = "alerts:\n  from: mxwatch@example.org\n  to: [oncall@example.org]\n  relay:\n    host: 127.0.0.1\n    username: mxwatch\n    password_file: relay.secret\n";
    java.nio.file.Files.writeString(dir.resolve("m.yaml"), yaml);
    MxwatchConfig c = loader.load(dir.resolve("m.yaml"));
    assertThat(c.alerts().enabled()).isTrue();
    assertThat(c.alerts().relay().password().value()).isEqualTo("hunter2");
    assertThat(c.alerts().relay().port()).isEqualTo(587);
    assertThat(c.alerts().relay().tls()).isEqualTo(MxwatchConfig.Tls.STARTTLS);
    assertThat(c.alerts().relay().verifyCertificates()).isTrue();
    assertThat(c.toString()).doesNotContain("hunter2");
    MxwatchConfig fromEnv = new ConfigLoader(java.util.Map.of("MXWATCH_RELAY_PASSWORD", "pw")).load(dir.resolve("m.yaml"));
    assertThat(fromEnv.alerts().relay().password().value()).isEqualTo("pw");
    assertThatThrownBy(() -> loader.parse(yaml.replace("password_file", "password"), "m.yaml"))
        .hasMessageStartingWith("m.yaml:7: unknown key 'alerts.relay.password'");
  }

  @Test
  void routesPickRecipientsPerDomainWithASeverityThresholdAndSilencesAreMaintenanceWindows() throws Exception {
    MxwatchConfig c =
        loader.parse(
            """
            alerts:
              from: mxwatch@example.org
              to: [postmaster@example.org]
              min_severity: info
              relay: {host: smtp.example.org}
              routes:
                - {name: pager, domains: ["*"], to: [pager@example.org], min_severity: critical, continue: true}
                - {name: shop, domains: ["shop.example", "*.shop.example"], to: [shop-team@example.org]}
              silences:
                - {domain: "*.shop.example", start: 2026-11-24T22:00:00Z, end: "2026-11-25T02:00:00+01:00", reason: MX migration}
            """,
            "m.yaml");
    MxwatchConfig.Alerts a = c.alerts();
    assertThat(a.routesFor("shop.example")).extracting(MxwatchConfig.Route::name).containsExactly("pager", "shop");
    assertThat(a.routesFor("eu.shop.example")).extracting(MxwatchConfig.Route::name).containsExactly("pager", "shop");
    assertThat(a.routesFor("other.example")).extracting(MxwatchConfig.Route::name).containsExactly("pager");
    assertThat(a.routesFor("shop.example").getFirst().minSeverity()).isEqualTo(io.mxwatch.audit.Severity.CRITICAL);
    assertThat(a.routesFor("shop.example").get(1).minSeverity()).isEqualTo(io.mxwatch.audit.Severity.WARNING);
    assertThat(a.minSeverity()).isEqualTo(io.mxwatch.audit.Severity.INFO);
    assertThat(a.allRecipients()).containsExactly("postmaster@example.org", "pager@example.org", "shop-team@example.org");
    assertThat(a.relay().timeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    MxwatchConfig.Silence s = a.silences().getFirst();
    assertThat(s.start()).isEqualTo(java.time.Instant.parse("2026-11-24T22:00:00Z"));
    assertThat(s.end()).isEqualTo(java.time.Instant.parse("2026-11-25T01:00:00Z"));
    assertThat(s.domain().matches("eu.shop.example")).isTrue();
    assertThat(s.domain().matches("shop.example")).as("*.x is below x, not x").isFalse();

    MxwatchConfig plain = loader.parse("alerts: {from: a@example.org, to: [b@example.org], relay: {host: h.example.org}}\n", "m.yaml");
    assertThat(plain.alerts().routesFor("any.example")).singleElement().satisfies(r -> {
      assertThat(r.name()).isEqualTo("default");
      assertThat(r.to()).containsExactly("b@example.org");
      assertThat(r.minSeverity()).isEqualTo(io.mxwatch.audit.Severity.WARNING);
    });
  }

  @Test
  void severalErrorsOfTheNewSectionsAreReportedTogether() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    defaults:
                      interval: 0s
                    domains:
                      - bad..name
                      - name: example.org
                        cron: "not cron"
                    store:
                      retention: 1m
                    """,
                    "m.yaml"))
        .hasMessage(
            String.join(
                "\n",
                "m.yaml:2: defaults.interval: must be between 1s and 7d, got 0s",
                "m.yaml:4: domains[0]: 'bad..name' is not a domain name: empty label",
                "m.yaml:6: domains[1].cron: 'not cron' is not a cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 */5 * * * ?'): Illegal characters for this position: 'NOT'",
                "m.yaml:8: store.retention: must be between 1h and 36500d, got 1m"));
  }
}
