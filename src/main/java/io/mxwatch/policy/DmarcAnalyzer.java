package io.mxwatch.policy;

import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.LookupScope;
import io.mxwatch.policy.DmarcRecord.DmarcUri;
import io.mxwatch.policy.DmarcResult.ReportAuthorization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Reads a domain's DMARC record and checks that every report destination outside the domain's
 * organisation has agreed to receive its reports.
 */
public final class DmarcAnalyzer {

  /** The name of a domain's DMARC record. */
  public static Name recordName(Name domain) {
    try {
      return Name.concatenate(Name.fromConstantString("_dmarc"), domain);
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException("name too long for a DMARC lookup: " + domain, e);
    }
  }

  /** External report destinations whose authorisation is looked up per check; more are not checked. */
  static final int MAX_DESTINATIONS = 10;

  /** Blocking form of {@link #analyzeAsync}. */
  public DmarcResult analyze(LookupScope scope, Name domain, DnsOutcome txt) {
    return analyzeAsync(scope, domain, txt).join();
  }

  /** Parses the DMARC record from its TXT answer and checks external report destinations. */
  public CompletableFuture<DmarcResult> analyzeAsync(LookupScope scope, Name domain, DnsOutcome txt) {
    String name = text(recordName(domain));
    List<String> records = TxtRecords.select(txt, DmarcParser::isCandidate);
    if (records.size() != 1) {
      return CompletableFuture.completedFuture(new DmarcResult(txt.status(), name, records, null, List.of()));
    }
    DmarcRecord record = DmarcParser.parse(records.get(0));
    if (!record.valid()) {
      return CompletableFuture.completedFuture(new DmarcResult(txt.status(), name, records, record, List.of()));
    }
    Map<String, CompletableFuture<DnsOutcome>> checks = new LinkedHashMap<>();
    Map<String, DmarcUri> byUri = new LinkedHashMap<>();
    Map<String, CompletableFuture<DnsOutcome>> byDestination = new LinkedHashMap<>();
    String self = text(domain);
    for (DmarcUri uri : Stream.concat(record.rua().stream(), record.ruf().stream()).toList()) {
      if (uri.domain() == null || sameOrganisation(self, uri.domain()) || byUri.containsKey(uri.uri())) {
        continue;
      }
      String destination = uri.domain().toLowerCase(Locale.ROOT);
      CompletableFuture<DnsOutcome> lookup = byDestination.get(destination);
      if (lookup == null) {
        if (byDestination.size() >= MAX_DESTINATIONS) {
          continue; // a record listing hundreds of destinations costs a check ten lookups at most
        }
        Name query = authorizationName(domain, uri.domain());
        if (query == null) {
          continue;
        }
        lookup = scope.lookup(query, Type.TXT);
        byDestination.put(destination, lookup);
      }
      byUri.put(uri.uri(), uri);
      checks.put(uri.uri(), lookup);
    }
    return CompletableFuture.allOf(checks.values().toArray(CompletableFuture[]::new))
        .thenApply(
            answered -> {
              List<ReportAuthorization> authorizations = new ArrayList<>();
              for (var entry : checks.entrySet()) {
                DmarcUri uri = byUri.get(entry.getKey());
                DnsOutcome outcome = entry.getValue().join();
                boolean authorized = !TxtRecords.select(outcome, DmarcParser::isCandidate).isEmpty();
                authorizations.add(
                    new ReportAuthorization(
                        uri.uri(), uri.domain(), self + "._report._dmarc." + uri.domain(), outcome.status(), authorized));
              }
              return new DmarcResult(txt.status(), name, records, record, authorizations);
            });
  }

  /**
   * Whether two domains belong to one organisation, without a public suffix list: one is the other
   * or a subdomain of it, or they share their last two labels. This errs towards "same": a missed
   * check of a co.uk-style sibling is better than a false alarm about an internal destination.
   */
  static boolean sameOrganisation(String a, String b) {
    a = a.toLowerCase(Locale.ROOT);
    b = b.toLowerCase(Locale.ROOT);
    if (a.equals(b) || a.endsWith("." + b) || b.endsWith("." + a)) {
      return true;
    }
    return lastLabels(a, 2).equals(lastLabels(b, 2));
  }

  private static String lastLabels(String name, int count) {
    String[] labels = name.split("\\.");
    int from = Math.max(0, labels.length - count);
    return String.join(".", java.util.Arrays.copyOfRange(labels, from, labels.length));
  }

  private static Name authorizationName(Name domain, String destination) {
    try {
      return Name.fromString(text(domain) + "._report._dmarc." + destination + ".");
    } catch (TextParseException e) {
      return null; // a destination that is not a valid name cannot be authorised
    }
  }

  private static String text(Name name) {
    return io.mxwatch.dns.NameText.of(name);
  }
}
