package io.mxwatch.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SpfMacrosTest {
  private static final Map<Character, String> VALUES = Map.of('d', "email.example.com", 'o', "example.com");

  @Test
  void expandsDomainMacrosWithTransformers() {
    // RFC 7208 §7.4 examples, for the letters a static analysis knows
    assertThat(SpfMacros.expand("%{d}", VALUES)).isEqualTo("email.example.com");
    assertThat(SpfMacros.expand("%{d4}", VALUES)).isEqualTo("email.example.com");
    assertThat(SpfMacros.expand("%{d3}", VALUES)).isEqualTo("email.example.com");
    assertThat(SpfMacros.expand("%{d2}", VALUES)).isEqualTo("example.com");
    assertThat(SpfMacros.expand("%{d1}", VALUES)).isEqualTo("com");
    assertThat(SpfMacros.expand("%{dr}", VALUES)).isEqualTo("com.example.email");
    assertThat(SpfMacros.expand("%{d2r}", VALUES)).isEqualTo("example.email");
    assertThat(SpfMacros.expand("_spf.%{o}", VALUES)).isEqualTo("_spf.example.com");
    assertThat(SpfMacros.expand("a%%b%_c%-d.%{d}", VALUES)).isEqualTo("a%b c%20d.email.example.com");
  }

  @Test
  void senderDependentMacrosAreNotExpanded() {
    assertThat(SpfMacros.expand("%{i}.bl.example.org", VALUES)).isNull();
    assertThat(SpfMacros.expand("%{l}._spf.%{d}", VALUES)).isNull();
  }

  @Test
  void customDelimitersSplitTheValue() {
    assertThat(SpfMacros.expand("%{o-}", Map.of('o', "a-b.c"))).isEqualTo("a.b.c");
    assertThat(SpfMacros.expand("%{o1r-.}", Map.of('o', "a-b.c"))).isEqualTo("a");
  }

  @Test
  void domainSpecEndChecks() {
    assertThat(SpfMacros.checkDomainSpec("example.com")).isNull();
    assertThat(SpfMacros.checkDomainSpec("%{d}")).isNull();
    assertThat(SpfMacros.checkDomainSpec("_spf.%{d2}")).isNull();
    assertThat(SpfMacros.checkDomainSpec("com")).contains("two labels");
    assertThat(SpfMacros.checkDomainSpec("example.123")).contains("top-level");
    assertThat(SpfMacros.checkDomainSpec("a".repeat(64) + ".example.com")).contains("63");
  }
}
