package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.dns.LookupScope;
import io.mxwatch.net.AddressRanges;
import io.mxwatch.policy.TxtRecords;
import io.mxwatch.tls.MtaStsFetcher;
import io.mxwatch.tls.MtaStsResult;
import io.mxwatch.tls.PolicyFetch;
import io.mxwatch.tls.TlsRptResult;
import io.mxwatch.tls.TxtPolicyRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Reads a domain's transport policies: the {@code _mta-sts} TXT record and, when it is one valid
 * record, the policy it announces (fetched from {@code mta-sts.<domain>} at the addresses this
 * check looks up, the deny-list applied); and the {@code _smtp._tls} TLS-RPT record.
 */
final class TransportPolicies {
  private static final Name MTA_STS = Name.fromConstantString("_mta-sts");
  private static final Name POLICY_HOST = Name.fromConstantString("mta-sts");
  private static final Name TLS_RPT = Name.fromConstantString("_smtp._tls");

  /** Null: policies are not fetched (only the TXT records are read). */
  private final MtaStsFetcher fetcher;
  private final AddressRanges deny;

  TransportPolicies(MtaStsFetcher fetcher, AddressRanges deny) {
    this.fetcher = fetcher;
    this.deny = deny;
  }

  CompletableFuture<Transport> analyze(LookupScope scope, Name domain, String domainText) {
    CompletableFuture<MtaStsResult> mtaSts =
        scope.lookup(child(MTA_STS, domain), Type.TXT).thenCompose(txt -> mtaSts(scope, domain, domainText, txt));
    CompletableFuture<TlsRptResult> tlsRpt =
        scope.lookup(child(TLS_RPT, domain), Type.TXT).thenApply(txt -> {
          List<String> records = TxtRecords.select(txt, t -> t.startsWith("v=TLSRPTv1"));
          return new TlsRptResult(txt.status(), records, TxtPolicyRecord.tlsRpt(records));
        });
    return mtaSts.thenCombine(tlsRpt, Transport::new);
  }

  private CompletableFuture<MtaStsResult> mtaSts(LookupScope scope, Name domain, String domainText, DnsOutcome txt) {
    List<String> records = TxtRecords.select(txt, t -> t.startsWith("v=STSv1"));
    TxtPolicyRecord record = TxtPolicyRecord.mtaSts(records);
    if (record == null || !record.valid() || fetcher == null) {
      return CompletableFuture.completedFuture(new MtaStsResult(txt.status(), records, record, null));
    }
    Name host = child(POLICY_HOST, domain);
    CompletableFuture<DnsOutcome> a = scope.lookup(host, Type.A);
    CompletableFuture<DnsOutcome> aaaa = scope.lookup(host, Type.AAAA);
    return a.thenCombine(aaaa, (v4, v6) -> addresses(v4, v6))
        .thenCompose(found -> fetch(domainText, found, a.join().status(), aaaa.join().status()))
        .thenApply(fetch -> new MtaStsResult(txt.status(), records, record, fetch));
  }

  private CompletableFuture<PolicyFetch> fetch(String domain, List<InetAddress> found, DnsStatus v4, DnsStatus v6) {
    String url = fetcher.url(domain);
    if (found.isEmpty()) {
      String why = v4.isFailure() || v6.isFailure() ? "the lookup of mta-sts." + domain + " failed (A " + v4.label() + ", AAAA " + v6.label() + ")" : "mta-sts." + domain + " has no address";
      return CompletableFuture.completedFuture(new PolicyFetch.Failed(url, 0, "dns", why));
    }
    List<InetAddress> allowed = new ArrayList<>();
    String denied = null;
    for (InetAddress address : found) {
      var range = deny.match(address);
      if (range.isPresent()) {
        denied = io.mxwatch.net.IpText.of(address) + " is in " + range.get();
      } else {
        allowed.add(address);
      }
    }
    if (allowed.isEmpty()) {
      return CompletableFuture.completedFuture(new PolicyFetch.Failed(url, 0, "denied", "not fetched: " + denied + " (smtp.deny)"));
    }
    return fetcher.fetch(domain, allowed);
  }

  private static List<InetAddress> addresses(DnsOutcome v4, DnsOutcome v6) {
    List<InetAddress> out = new ArrayList<>();
    for (DnsOutcome outcome : List.of(v4, v6)) {
      if (outcome instanceof DnsOutcome.Answer answer) {
        for (Record r : answer.records()) {
          try {
            out.add(InetAddress.getByAddress(r.rdataToWireCanonical()));
          } catch (UnknownHostException e) {
            // not an address record: skipped
          }
        }
      }
    }
    return out.size() > 8 ? out.subList(0, 8) : out; // a policy host of a thousand addresses is tried at eight
  }

  private static Name child(Name prefix, Name domain) {
    try {
      return Name.concatenate(prefix, domain);
    } catch (NameTooLongException e) {
      throw new IllegalArgumentException("name too long: " + prefix + domain, e);
    }
  }
}
