package io.mxwatch.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The DMARC record cases of src/test/resources/conformance/dmarc-record-cases.tsv (copied from
 * ../shared/conformance; sources and licences in SOURCES.md there): 112 records with the verdict of
 * the parser whose tests they come from.
 *
 * <p>Rows on RFC 9989 are checked exactly. Rows on RFC 7489 are checked too, except where RFC 9989
 * changed the rule; those are listed in {@link #SUPERSEDED} with the verdict this parser gives and
 * why.
 */
class DmarcConformanceTest {

  enum Verdict {
    VALID,
    VALID_WITH_WARNING,
    INVALID
  }

  /** RFC 7489 verdicts that RFC 9989 changed: record → this parser's verdict. */
  static final Map<String, Verdict> SUPERSEDED =
      Map.ofEntries(
          // p is no longer required: missing p means none (with a warning here)
          Map.entry("v=DMARC1; pct=100;", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1;", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1", Verdict.VALID_WITH_WARNING),
          // p need not follow v directly
          Map.entry("v=DMARC1; sp=reject; p=reject", Verdict.VALID_WITH_WARNING),
          // pct, rf and ri were removed: not validated, a warning that they are obsolete
          Map.entry("v=DMARC1; p=none; rf=000000000000000000000000000000000", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; ri=", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; ri=-1", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; ri=99999999999999999999999999999999999999", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; ri=123bad", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; ri=bad", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; rf=bad-trailing-dash-", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; rf=", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; rf=bad.non-alphadigitdash", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; pct=110", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; pct=bogus", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; pct=", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; p=none; rf=bob;", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; p=none; ri=bob;", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; p=none; pct=500;", Verdict.VALID_WITH_WARNING),
          // an unknown alignment mode falls back to relaxed (RFC 9989 rows agree)
          Map.entry("v=DMARC1; adkim=x", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; aspf=123", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; p=none; adkim=bob;", Verdict.VALID_WITH_WARNING),
          Map.entry("v=DMARC1; p=none; aspf=bob;", Verdict.VALID_WITH_WARNING),
          // RFC 7489 §6.6.3 turned an invalid sp into p=none; RFC 9989 rows call it invalid
          Map.entry(
              "v=DMARC1; p=reject; sp=invalid; rua=mailto:mjl@mox.example", Verdict.INVALID),
          // OpenDMARC accepts any prefix of a policy name; RFC 9989 names three values
          Map.entry("v=DMARC1; p=n;", Verdict.INVALID));

  /** RFC 9989 rows marked plain "valid" on which this parser still warns, with why. */
  static final Map<String, String> WARNS_ANYWAY =
      Map.of(
          "v=DMARC1", "no p tag: receivers apply none, which the operator should know",
          "v=DMARC1;", "no p tag: receivers apply none, which the operator should know");

  record Row(String source, String basis, String expect, String record, String detail) {}

  @TestFactory
  Stream<DynamicTest> recordCases() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/conformance/dmarc-record-cases.tsv"), StandardCharsets.UTF_8))) {
      in.readLine(); // header
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split("\t", -1);
        rows.add(new Row(f[0], f[1], f[2], f[3].replace("\\t", "\t"), f.length > 4 ? f[4] : ""));
      }
    }
    assertThat(rows).hasSize(112);
    assertThat(rows.stream().filter(r -> !r.basis().startsWith("9989")).map(Row::record))
        .as("every superseded verdict names a row of the file")
        .containsAll(SUPERSEDED.keySet());
    return rows.stream()
        .map(row -> DynamicTest.dynamicTest(row.source() + ": " + row.record(), () -> check(row)));
  }

  private static void check(Row row) {
    DmarcRecord parsed = DmarcParser.parse(row.record());
    Verdict actual =
        !parsed.valid()
            ? Verdict.INVALID
            : parsed.warnings().isEmpty() ? Verdict.VALID : Verdict.VALID_WITH_WARNING;
    String context = row.record() + " -> errors " + parsed.errors() + ", warnings " + parsed.warnings();
    boolean rfc9989 = row.basis().startsWith("9989");
    if (!rfc9989 && SUPERSEDED.containsKey(row.record())) {
      assertThat(actual).as(context).isEqualTo(SUPERSEDED.get(row.record()));
      return;
    }
    switch (row.expect()) {
      case "invalid" -> assertThat(actual).as(context).isEqualTo(Verdict.INVALID);
      case "valid+warning" -> assertThat(actual).as(context).isEqualTo(Verdict.VALID_WITH_WARNING);
      case "valid" -> {
        if (rfc9989 && !WARNS_ANYWAY.containsKey(row.record())) {
          assertThat(actual).as(context).isEqualTo(Verdict.VALID);
        } else {
          // RFC 7489 "valid" rows may use tags RFC 9989 removed: valid, warnings allowed
          assertThat(actual).as(context).isNotEqualTo(Verdict.INVALID);
        }
      }
      default -> throw new IllegalStateException("unknown expectation " + row.expect());
    }
  }
}
