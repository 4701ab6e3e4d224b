package io.mxwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
        .hasMessage("m.yaml:3: unknown key 'smtp.heloname' (known: connect_timeout, deadline, enabled, helo_name, ipv6, max_concurrent, port, read_timeout)");
    assertThatThrownBy(() -> loader.parse("dnss:\n  timeout: 2s\n", "m.yaml"))
        .hasMessage("m.yaml:1: unknown key 'dnss' (known: check, dns, smtp)");
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
}
