package io.mxwatch.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressRangesTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no lookup
  }

  private static String special(String literal) throws Exception {
    return AddressRanges.SPECIAL_PURPOSE.match(ip(literal)).map(AddressRanges.Range::toString).orElse("public");
  }

  @Test
  void theSpecialPurposeRangesHoldWhatNoSenderOnTheInternetCanReach() throws Exception {
    assertThat(special("127.0.0.1")).isEqualTo("127.0.0.0/8 (loopback)");
    assertThat(special("10.1.2.3")).isEqualTo("10.0.0.0/8 (private)");
    assertThat(special("172.16.5.4")).isEqualTo("172.16.0.0/12 (private)");
    assertThat(special("172.31.255.255")).isEqualTo("172.16.0.0/12 (private)");
    assertThat(special("192.168.0.1")).isEqualTo("192.168.0.0/16 (private)");
    assertThat(special("169.254.169.254")).isEqualTo("169.254.0.0/16 (link-local)");
    assertThat(special("100.64.0.1")).isEqualTo("100.64.0.0/10 (shared address space)");
    assertThat(special("0.0.0.0")).isEqualTo("0.0.0.0/8 (this network)");
    assertThat(special("::1")).isEqualTo("::1/128 (loopback)");
    assertThat(special("fd12:3456::1")).isEqualTo("fc00::/7 (unique-local)");
    assertThat(special("fe80::1")).isEqualTo("fe80::/10 (link-local)");
    assertThat(special("::ffff:10.0.0.1")).as("an IPv4-mapped address is its IPv4 address").isEqualTo("10.0.0.0/8 (private)");

    assertThat(special("172.32.0.1")).isEqualTo("public");
    assertThat(special("192.169.0.1")).isEqualTo("public");
    assertThat(special("100.128.0.1")).isEqualTo("public");
    assertThat(special("2a00:1450::1")).isEqualTo("public");
  }

  @Test
  void rangesAreParsedStrictlyWithClearErrors() throws Exception {
    AddressRanges r = AddressRanges.of(List.of("203.0.113.0/24", "2001:db8::/32", "198.51.100.7"));
    assertThat(r.match(ip("203.0.113.200"))).isPresent();
    assertThat(r.match(ip("203.0.114.1"))).isEmpty();
    assertThat(r.match(ip("2001:db8:ffff::1"))).isPresent();
    assertThat(r.match(ip("198.51.100.7"))).as("no prefix: the one address").isPresent();
    assertThat(r.match(ip("198.51.100.8"))).isEmpty();
    assertThat(AddressRanges.NONE.match(ip("127.0.0.1"))).isEmpty();

    assertThatThrownBy(() -> AddressRanges.range("10.0.0.0/33", "")).hasMessage("'10.0.0.0/33': the prefix length must be 0-32");
    assertThatThrownBy(() -> AddressRanges.range("10.0.0.0/x", "")).hasMessage("'10.0.0.0/x': the prefix length after / must be a number");
    assertThatThrownBy(() -> AddressRanges.range("mail.example.com/24", "")).hasMessage("'mail.example.com/24' is not an address range like 10.0.0.0/8 or fd00::/8");
    assertThatThrownBy(() -> AddressRanges.range("300.0.0.0/8", "")).hasMessageContaining("is not an address range");
  }
}
