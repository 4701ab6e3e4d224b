package io.mxwatch.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpfParserTest {

  @Test
  void parsesMechanismsQualifiersAndModifiers() {
    SpfRecord r =
        SpfParser.parse(
            "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/24//64 -include:_spf.example.net"
                + " ~exists:%{i}.bl.example.org ?ptr redirect=_spf.example.com exp=explain.example.com x-custom=1");
    assertThat(r.errors()).isEmpty();
    assertThat(r.terms())
        .extracting(SpfTerm::name)
        .containsExactly("ip4", "ip6", "a", "mx", "include", "exists", "ptr", "redirect", "exp", "x-custom");
    assertThat(r.terms().get(3).domainSpec()).isEqualTo("mail.example.com");
    assertThat(r.terms().get(3).network()).isEqualTo("/24//64");
    assertThat(r.terms().get(4).qualifier()).isEqualTo("-");
    assertThat(r.terms().get(5).qualifier()).isEqualTo("~");
    assertThat(r.terms().get(0).qualifier()).isEqualTo("+");
    assertThat(r.terms().get(7).modifier()).isTrue();
    assertThat(r.terms()).filteredOn(SpfTerm::countsAsLookup).extracting(SpfTerm::name)
        .containsExactly("a", "mx", "include", "exists", "ptr", "redirect");
  }

  @Test
  void mechanismNamesAreCaseInsensitiveAndSpacesRepeat() {
    SpfRecord r = SpfParser.parse("V=SPF1   MX  Include:example.net  -ALL  ");
    assertThat(r.errors()).isEmpty();
    assertThat(r.terms()).extracting(SpfTerm::name).containsExactly("mx", "include", "all");
    assertThat(r.all()).get().extracting(SpfTerm::qualifier).isEqualTo("-");
  }

  @Test
  void redirectIsIgnoredWhenAllIsPresent() {
    SpfRecord r = SpfParser.parse("v=spf1 -all redirect=example.net");
    assertThat(r.redirect()).isEmpty();
    assertThat(r.effectiveTerms()).extracting(SpfTerm::name).containsExactly("all");
    assertThat(SpfParser.parse("v=spf1 mx redirect=example.net").redirect()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v=spf1 foo:bar",
        "v=spf1 all:x",
        "v=spf1 include",
        "v=spf1 include:",
        "v=spf1 ip4:192.0.2.300",
        "v=spf1 ip4:192.0.2.1/33",
        "v=spf1 ip4:192.0.2.1/032",
        "v=spf1 ip4:1.2.3",
        "v=spf1 ip6:2001:db8::/129",
        "v=spf1 ip6:192.0.2.1",
        "v=spf1 a:example",
        "v=spf1 a:foo.123",
        "v=spf1 a:-foo.com-",
        "v=spf1 mx//129",
        "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 exp=a.example.com exp=b.example.com",
        "v=spf1 include:%{c}.example.com",
        "v=spf1 include:%{x}.example.com",
        "v=spf1 include:%{d0}.example.com",
        "v=spf1 exists:%{i.example.com",
        "v=spf1 a:foo%.example.com",
        "v=spf1 a:foo..example.com",
        "v=spf1 -all\tmx",
        "v=spf1 a:caf\u00e9.example.com",
        "v=spf1 =foo",
      })
  void syntaxErrorsAreReported(String record) {
    assertThat(SpfParser.parse(record).errors()).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v=spf1",
        "v=spf1 ",
        "v=spf1 -all",
        "v=spf1 a/24 mx/24//64 ip4:0.0.0.0/0 ip6:::1 ip6:2001:db8::1/128",
        "v=spf1 include:%{d}._spf.example.com exists:%{ir}.%{l1r+-}._spf.%{d2} -all",
        "v=spf1 a:example.com. -all",
        "v=spf1 a:mail.a-b -all",
        "v=spf1 exists:%{i}%% -all",
        "v=spf1 unknown-modifier=anything.%{d} -all",
        "v=spf1 redirect=%{d}.example.net",
      })
  void wellFormedRecordsParse(String record) {
    assertThat(SpfParser.parse(record).errors()).isEmpty();
  }

  @Test
  void recordSelectionNeedsSpaceOrEndAfterVersion() {
    assertThat(SpfParser.isSpf("v=spf1 -all")).isTrue();
    assertThat(SpfParser.isSpf("V=SPF1")).isTrue();
    assertThat(SpfParser.isSpf("v=spf10 -all")).isFalse();
    assertThat(SpfParser.isSpf("v=spf1mx")).isFalse();
    assertThat(SpfParser.isSpf("spf1 -all")).isFalse();
  }

  @Test
  void errorsNameTheTerm() {
    assertThat(SpfParser.parse("v=spf1 mx foo:bar -all").errors())
        .singleElement()
        .asString()
        .contains("foo:bar")
        .contains("unknown mechanism");
  }
}
