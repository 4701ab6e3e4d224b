package io.mxwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainNamesTest {
  @ParameterizedTest
  @CsvSource({
    "example.com, example.com",
    "Example.COM., example.com",
    "  mail.example.org  , mail.example.org",
    "bücher.example, xn--bcher-kva.example",
    "xn--bcher-kva.example, xn--bcher-kva.example",
    "a-b.c-d.example, a-b.c-d.example",
  })
  void normalises(String input, String expected) {
    assertThat(DomainNames.normalize(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'' | it is empty",
        "foo..bar | empty label",
        "localhost | at least two labels",
        "127.0.0.1 | numeric top-level label",
        "-foo.example | label '-foo'",
        "foo_bar.example | ",
        "exa mple.com | ",
      })
  void rejects(String input, String reason) {
    assertThatThrownBy(() -> DomainNames.normalize(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason == null ? "not a domain name" : reason);
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1, 53",
    "127.0.0.1:5353, 127.0.0.1, 5353",
    "::1, 0:0:0:0:0:0:0:1, 53",
    "[::1]:5353, 0:0:0:0:0:0:0:1, 5353",
    "[::1], 0:0:0:0:0:0:0:1, 53",
  })
  void resolverAddresses(String input, String host, int port) {
    var address = ResolverAddresses.parse(input);
    assertThat(address.getAddress().getHostAddress()).isEqualTo(host);
    assertThat(address.getPort()).isEqualTo(port);
  }

  @ParameterizedTest
  @CsvSource({"dns.example", "127.0.0.1:0", "127.0.0.1:99999", "[::1", "[::1]x", "1.2.3"})
  void badResolverAddresses(String input) {
    assertThatThrownBy(() -> ResolverAddresses.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a resolver address");
  }

  @ParameterizedTest
  @CsvSource({"500ms, 500", "2s, 2000", "5m, 300000", "1h, 3600000", "1d, 86400000", "PT1.5S, 1500"})
  void durations(String input, long millis) {
    assertThat(Durations.parse(input).toMillis()).isEqualTo(millis);
  }

  @ParameterizedTest
  @CsvSource({"2", "2 s", "soon", "-1s", "1w"})
  void badDurations(String input) {
    assertThatThrownBy(() -> Durations.parse(input)).hasMessageContaining("is not a duration");
  }
}
