package io.mxwatch.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpTextTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "::1, ::1",
    "::, ::",
    "2001:db8:0:0:0:0:0:1, 2001:db8::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0db8:0000:0001:0000:0000:0000:0001, 2001:db8:0:1::1",
    "2001:db8:1:1:1:1:0:1, 2001:db8:1:1:1:1:0:1",
    "fe80:0:0:0:0:0:0:0, fe80::",
  })
  void canonicalForms(String literal, String expected) throws Exception {
    assertThat(IpText.of(InetAddress.getByName(literal))).isEqualTo(expected);
  }
}
