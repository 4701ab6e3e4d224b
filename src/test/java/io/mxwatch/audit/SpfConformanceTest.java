package io.mxwatch.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mxwatch.dns.DnsClient;
import io.mxwatch.dns.DnsSettings;
import io.mxwatch.dns.LookupScope;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfAnalyzer;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import java.time.Instant;
import java.util.Set;
import io.mxwatch.testing.TestDnsServer;
import io.mxwatch.testing.TestDnsServer.Fault;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SPFRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The openspf.org RFC 7208 test suite (src/test/resources/conformance, copied from
 * ../shared/conformance; origin and licence in SOURCES.md there), applied to what a static
 * analysis can decide: whether a domain's SPF is a permerror for every sender (syntax, record
 * selection, lookup and void limits, includes without SPF, loops) or not. The verdict is the
 * audit's: a permerror is any of the critical SPF findings.
 *
 * <p>Each scenario's zone data is served by the in-JVM DNS server (TIMEOUT: never answered); each
 * test's domain is analysed and the verdict compared with the suite's expected result. Tests whose
 * verdict depends on the connecting address or on evaluation order are listed in {@link
 * #DYNAMIC_ONLY} with the reason.
 */
class SpfConformanceTest {

  /**
   * Suite tests whose permerror (or its absence) a static analysis cannot and should not
   * reproduce, with why.
   */
  static final Map<String, String> DYNAMIC_ONLY =
      Map.of(
          "include-at-limit",
          "the record needs 11 DNS-querying terms; the suite's sender matches ip4 before the 11th,"
              + " any other sender meets the limit, which is what the static count reports");

  @TestFactory
  Stream<DynamicNode> rfc7208Suite() throws Exception {
    return suite("/conformance/rfc7208-tests.yml");
  }

  @TestFactory
  Stream<DynamicNode> rfc4408Suite() throws Exception {
    return suite("/conformance/rfc4408-tests.yml");
  }

  private Stream<DynamicNode> suite(String resource) throws Exception {
    List<DynamicNode> scenarios = new ArrayList<>();
    try (InputStream in = getClass().getResourceAsStream(resource);
        MappingIterator<Map<String, Object>> docs = new YAMLMapper().readerFor(Map.class).readValues(in)) {
      while (docs.hasNext()) {
        Map<String, Object> scenario = docs.next();
        scenarios.add(scenario(scenario));
      }
    }
    return scenarios.stream();
  }

  @SuppressWarnings("unchecked")
  private DynamicContainer scenario(Map<String, Object> scenario) {
    String description = (String) scenario.get("description");
    Map<String, Object> zonedata = (Map<String, Object>) scenario.getOrDefault("zonedata", Map.of());
    Map<String, Map<String, Object>> tests = (Map<String, Map<String, Object>>) scenario.get("tests");
    List<DynamicTest> cases = new ArrayList<>();
    for (var entry : tests.entrySet()) {
      String name = entry.getKey();
      Map<String, Object> test = entry.getValue();
      cases.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                if (DYNAMIC_ONLY.containsKey(name)) {
                  return;
                }
                check(name, test, zonedata);
              }));
    }
    return DynamicContainer.dynamicContainer(description, cases);
  }

  private void check(String name, Map<String, Object> test, Map<String, Object> zonedata)
      throws Exception {
    String mailfrom = String.valueOf(test.getOrDefault("mailfrom", ""));
    String domain = mailfrom.isEmpty() ? String.valueOf(test.get("helo")) : mailfrom.substring(mailfrom.lastIndexOf('@') + 1);
    Name target;
    try {
      target = Name.fromString(domain + ".");
    } catch (TextParseException e) {
      return; // the suite's malformed names stop before any SPF record is read
    }
    Object expected = test.get("result");
    List<String> results = expected instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(expected));
    try (TestDnsServer dns = TestDnsServer.start()) {
      serve(dns, zonedata);
      try (DnsClient client =
          new DnsClient(new DnsSettings(List.of(dns.address()), Duration.ofMillis(300), 0, 32), Runnable::run)) {
        LookupScope scope = new LookupScope(client, System.nanoTime() + Duration.ofSeconds(10).toNanos());
        SpfResult result = new SpfAnalyzer().analyze(scope, target, scope.await(target, Type.TXT));
        List<Finding> permerrors = permerrors(domain, result, scope);
        if (results.contains("permerror") && results.size() == 1) {
          assertThat(permerrors).as(name + ": expected permerror for " + result).isNotEmpty();
        } else if (!results.contains("permerror")) {
          assertThat(permerrors).as(name + ": expected " + results).isEmpty();
        }
      }
    }
  }

  private static final Set<FindingCode> PERMERROR =
      Set.of(
          FindingCode.SPF_MULTIPLE,
          FindingCode.SPF_SYNTAX,
          FindingCode.SPF_TOO_MANY_LOOKUPS,
          FindingCode.SPF_VOID_LOOKUPS,
          FindingCode.SPF_INCLUDE_LOOP,
          FindingCode.SPF_INCLUDE_MISSING);

  /** The audit's permerror-class findings on a snapshot that holds only this SPF result. */
  private static List<Finding> permerrors(String domain, SpfResult spf, LookupScope scope) {
    Snapshot snapshot =
        new Snapshot(
            domain,
            Instant.EPOCH,
            0,
            new MxResult(DnsStatus.TIMEOUT, MxResult.Mode.UNKNOWN, false, List.of()),
            spf,
            new DmarcResult(DnsStatus.NXDOMAIN, "_dmarc." + domain, List.of(), null, List.of()),
            false,
            List.of(),
            scope.record());
    return new Auditor().audit(snapshot).findings().stream().filter(f -> PERMERROR.contains(f.code())).toList();
  }

  @SuppressWarnings("unchecked")
  static void serve(TestDnsServer dns, Map<String, Object> zonedata) throws Exception {
    for (var entry : zonedata.entrySet()) {
      Name owner;
      try {
        owner = Name.fromString(entry.getKey() + ".");
      } catch (TextParseException e) {
        continue;
      }
      List<Object> records = (List<Object>) entry.getValue();
      // The suite's SPF-type records stand for TXT records at names without TXT data (its
      // "auto-magic duplication"); where a name has TXT data (even "NONE") they are type SPF.
      boolean hasTxt = records.stream().anyMatch(r -> r instanceof Map<?, ?> m && m.containsKey("TXT"));
      for (Object r : records) {
        if ("TIMEOUT".equals(r)) {
          Name timeout = owner;
          dns.fault(q -> q.name().equals(timeout), Fault.drop());
          continue;
        }
        Map<String, Object> record = (Map<String, Object>) r;
        for (var rr : record.entrySet()) {
          if (rr.getKey().equals("TXT") && "NONE".equals(rr.getValue())) {
            continue;
          }
          Record built = build(owner, rr.getKey(), rr.getValue(), hasTxt);
          if (built != null) {
            dns.add(built);
          }
        }
      }
    }
  }

  private static Record build(Name owner, String type, Object value, boolean spfTypeIsReal)
      throws Exception {
    return switch (type) {
      case "SPF" ->
          spfTypeIsReal
              ? new SPFRecord(owner, DClass.IN, 60, strings(value))
              : new TXTRecord(owner, DClass.IN, 60, strings(value));
      case "TXT" -> new TXTRecord(owner, DClass.IN, 60, strings(value));
      case "A" -> new ARecord(owner, DClass.IN, 60, Address.getByAddress(String.valueOf(value)));
      case "AAAA" -> new AAAARecord(owner, DClass.IN, 60, Address.getByAddress(String.valueOf(value)));
      case "MX" -> {
        List<?> mx = (List<?>) value;
        yield new MXRecord(owner, DClass.IN, 60, ((Number) mx.get(0)).intValue(), absolute(String.valueOf(mx.get(1))));
      }
      case "PTR" -> new PTRRecord(owner, DClass.IN, 60, absolute(String.valueOf(value)));
      case "CNAME" -> new CNAMERecord(owner, DClass.IN, 60, absolute(String.valueOf(value)));
      default -> throw new IllegalArgumentException("record type " + type);
    };
  }

  private static Name absolute(String name) throws TextParseException {
    return Name.fromString(name.endsWith(".") ? name : name + ".");
  }

  /** Character-strings as dnsjava text with every byte outside printable ASCII escaped. */
  private static List<String> strings(Object value) {
    List<String> raw = value instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(value));
    if (raw.isEmpty()) {
      raw = List.of("");
    }
    return raw.stream().map(SpfConformanceTest::escape).toList();
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\\' || c == '"') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\%03d", (int) c & 0xff));
      }
    }
    return out.toString();
  }
}
