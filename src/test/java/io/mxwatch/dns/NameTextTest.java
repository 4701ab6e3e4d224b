package io.mxwatch.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Name;

class NameTextTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.test.",
        "Mail.EXAMPLE.test.",
        "_dmarc.example.test.",
        "_25._tcp.mx-1.example.test.",
        "xn--bcher-kva.example.",
        "a.b.c.d.e.f.g.h.",
        ".",
        "*.example.test.",
        "odd\\.dot.example.test.",
        "sp\\032ace.example.test.",
        "semi\\;colon.example.test.",
        "high\\200byte.example.test.",
        "example.test"
      })
  void isDnsjavasTextInLowercase(String presentation) throws Exception {
    Name name = Name.fromString(presentation);
    assertThat(NameText.of(name)).isEqualTo(name.toString(true).toLowerCase(Locale.ROOT));
  }

  @Test
  void aPlainNameHasNoTrailingDotAndNoCapitals() throws Exception {
    assertThat(NameText.of(Name.fromString("MX1.Example.TEST."))).isEqualTo("mx1.example.test");
    assertThat(NameText.of(Name.root)).isEqualTo(".");
  }
}
