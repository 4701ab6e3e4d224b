package io.mxwatch.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 8461 policies and records, and the mistakes deployments make with them. */
class MtaStsPolicyTest {

  @Test
  void theRfcExampleParses() {
    // RFC 8461 §3.2
    MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.warnings()).isEmpty();
    assertThat(p.mode()).isEqualTo("enforce");
    assertThat(p.maxAge()).isEqualTo(604800);
    assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
  }

  @ParameterizedTest(name = "{0} against {1}: {2}")
  @CsvSource({
    "mail.example.com, mail.example.com, true",
    "mail.example.com, MAIL.Example.COM., true",
    "*.example.com, mail.example.com, true",
    "*.example.com, example.com, false",
    "*.example.com, a.b.example.com, false",
    "*.example.com, mail.example.com.evil.net, false",
    "*.example.com, mailexample.com, false",
    "mail.example.com, mail.example.com.evil.net, false",
    "*.example.com, .example.com, false",
  })
  void patternsMatchOneLeftmostLabelAndNothingElse(String pattern, String host, boolean matches) {
    assertThat(MtaStsPolicy.matches(pattern, host)).isEqualTo(matches);
  }

  @Test
  void deploymentMistakesAreNamed() {
    MtaStsPolicy ip = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: 192.0.2.25\r\nmax_age: 86400\r\n");
    assertThat(ip.errors()).anySatisfy(e -> assertThat(e).contains("an IP address")).anySatisfy(e -> assertThat(e).contains("no mx pattern"));

    MtaStsPolicy typo = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nnmx: mail.example.com\r\nmax_age: 86400\r\n");
    assertThat(typo.warnings()).anySatisfy(w -> assertThat(w).contains("unknown key 'nmx'").contains("misspelt mx"));
    assertThat(typo.errors()).anySatisfy(e -> assertThat(e).contains("no mx pattern"));

    MtaStsPolicy lf = MtaStsPolicy.parse("version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 604800\n");
    assertThat(lf.valid()).isTrue();
    assertThat(lf.warnings()).containsExactly("lines end in LF alone; RFC 8461 asks for CRLF");

    MtaStsPolicy twice = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmode: none\r\nmx: mail.example.com\r\nmax_age: 86400\r\n");
    assertThat(twice.errors()).containsExactly("'mode' appears more than once");

    MtaStsPolicy bad = MtaStsPolicy.parse("version: STSv2\r\nmode: enforcing\r\nmx: mail.*.example.com\r\nmax_age: 99999999999\r\n<html>\r\n");
    assertThat(bad.errors())
        .anySatisfy(e -> assertThat(e).contains("version is 'STSv2'"))
        .anySatisfy(e -> assertThat(e).contains("mode is 'enforcing'"))
        .anySatisfy(e -> assertThat(e).contains("wildcard may only be the whole leftmost label"))
        .anySatisfy(e -> assertThat(e).contains("max_age is '99999999999'"))
        .anySatisfy(e -> assertThat(e).contains("not 'key: value'"));

    MtaStsPolicy shortAge = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 300\r\n");
    assertThat(shortAge.valid()).isTrue();
    assertThat(shortAge.warnings()).singleElement().asString().contains("max_age is 300 s");

    MtaStsPolicy none = MtaStsPolicy.parse("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n");
    assertThat(none.valid()).as("mode none needs no mx").isTrue();
  }

  @Test
  void theTxtRecordMustBeOneWithAnId() {
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=spf1 -all"))).isNull();
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv1; id=20160831085700Z;")).errors()).isEmpty();
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv1; id=20160831085700Z;")).tags()).containsEntry("id", "20160831085700Z");
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv1; id=1", "v=STSv1; id=2")).errors()).containsExactly("2 records begin with v=STSv1: senders use none of them");
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv1;")).errors()).containsExactly("no id: senders cannot tell when the policy changes");
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv1; id=2026-11-23")).errors()).singleElement().asString().contains("not 1 to 32 letters and digits");
    assertThat(TxtPolicyRecord.mtaSts(List.of("v=STSv10; id=1"))).as("another version").isNull();
  }

  @Test
  void tlsRptNeedsMailtoOrHttpsDestinations() {
    assertThat(TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1; rua=mailto:tlsrpt@example.com")).valid()).isTrue();
    assertThat(TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt,mailto:a@example.com")).valid()).isTrue();
    assertThat(TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1; rua=ftp://example.com/")).errors()).singleElement().asString().contains("neither a mailto:");
    assertThat(TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1")).errors()).containsExactly("no rua: senders have nowhere to send reports");
    assertThat(TxtPolicyRecord.tlsRpt(List.of("v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example")).valid()).isFalse();
  }
}
