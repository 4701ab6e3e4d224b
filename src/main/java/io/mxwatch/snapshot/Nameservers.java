package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsClient;
import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.dns.LookupScope;
import io.mxwatch.net.AddressRanges;
import io.mxwatch.net.IpText;
import io.mxwatch.policy.TxtRecords;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Asks every authoritative nameserver of the domain's zone, as Zonemaster's consistency tests do:
 * finds the zone (the owner of the SOA above the domain), its NS set and the set its parent
 * delegates to, the addresses of each nameserver, and asks each address directly, without
 * recursion, for the zone's SOA and the domain's MX, SPF and DMARC records.
 *
 * <p>The work is bounded whatever the zone publishes: at most {@value #MAX_NAMESERVERS}
 * nameservers, {@value #MAX_ADDRESSES_PER_FAMILY} addresses of each family per nameserver and
 * {@value #MAX_ADDRESSES} in all, each asked four questions; with the zone, NS, parent and address
 * lookups, at most {@value #MAX_QUERIES} queries per check. Every lookup here is quiet (not among the
 * domain's lookups): a nameserver that does not answer is a finding, never a failed lookup of the
 * domain's own records.
 */
final class Nameservers {
  static final int MAX_NAMESERVERS = 13;
  /** Most NS names kept of a set (the first {@value #MAX_NAMESERVERS} are asked). */
  static final int MAX_LISTED = 32;
  static final int MAX_ADDRESSES_PER_FAMILY = 2;
  static final int MAX_ADDRESSES = 16;
  /** Labels walked up from the domain to find its zone (and from the zone to find the parent's). */
  static final int MAX_WALK = 4;
  /** 2 × 4 SOA lookups, 2 NS, 2 parent-server addresses, 1 referral, 13 × 2 addresses, 16 × 4 questions. */
  static final int MAX_QUERIES = 2 * MAX_WALK + 2 + 2 + 1 + 2 * MAX_NAMESERVERS + 4 * MAX_ADDRESSES;

  private static final Name DMARC = Name.fromConstantString("_dmarc");

  private final AddressRanges deny;
  private final boolean ipv6;
  private final int port;

  /**
   * @param deny addresses not asked (smtp.deny): a nameserver there is reported, not queried
   * @param ipv6 whether IPv6 addresses are asked (smtp.ipv6)
   * @param port the nameservers' port: 53 (tests serve zones on another)
   */
  Nameservers(AddressRanges deny, boolean ipv6, int port) {
    this.deny = deny;
    this.ipv6 = ipv6;
    this.port = port;
  }

  CompletableFuture<Authority> analyze(LookupScope scope, Name domain) {
    return zone(scope, domain, 0).thenCompose(found -> {
      if (found.zone() == null) {
        return CompletableFuture.completedFuture(new Authority(null, found.status(), List.of(), null, null, List.of()));
      }
      Name zone = found.zone();
      CompletableFuture<List<Name>> ns = scope.lookupQuietly(zone, Type.NS).thenApply(Nameservers::nsNames);
      CompletableFuture<Parent> parent = parent(scope, zone);
      return ns.thenCompose(names -> servers(scope, zone, domain, names.subList(0, Math.min(names.size(), MAX_NAMESERVERS)))
          .thenCombine(parent, (servers, p) -> new Authority(text(zone), found.status(), texts(names), p.names(), p.detail(), servers)));
    });
  }

  private record Zone(Name zone, DnsStatus status) {}

  /** The zone holding {@code name}: the first name up from it whose SOA the resolver gives. */
  private static CompletableFuture<Zone> zone(LookupScope scope, Name name, int steps) {
    return scope.lookupQuietly(name, Type.SOA).thenCompose(outcome -> {
      if (outcome instanceof DnsOutcome.Answer a && a.cnameChain().isEmpty() && a.records().getFirst().getName().equals(name)) {
        return CompletableFuture.completedFuture(new Zone(name, outcome.status()));
      }
      if (outcome.status().isFailure() || steps + 1 >= MAX_WALK || name.labels() <= 2) {
        return CompletableFuture.completedFuture(new Zone(null, outcome.status()));
      }
      return zone(scope, new Name(name, 1), steps + 1);
    });
  }

  private record Parent(List<String> names, String detail) {}

  /**
   * The NS set the parent delegates {@code zone} to: the parent zone's first nameserver (by name)
   * asked directly for the zone's NS records, which it gives as a referral (or, when it also serves
   * the zone, as an answer).
   */
  private CompletableFuture<Parent> parent(LookupScope scope, Name zone) {
    if (zone.labels() <= 2) {
      return CompletableFuture.completedFuture(new Parent(null, "a top-level zone: its parent is the root"));
    }
    return zone(scope, new Name(zone, 1), 0).thenCompose(found -> {
      if (found.zone() == null) {
        return done(null, "the parent zone was not found (SOA " + found.status().label() + ")");
      }
      return scope.lookupQuietly(found.zone(), Type.NS).thenCompose(outcome -> {
        List<Name> names = nsNames(outcome);
        if (names.isEmpty()) {
          return done(null, "the parent zone " + text(found.zone()) + " has no NS records (" + outcome.status().label() + ")");
        }
        Name server = names.getFirst();
        return addresses(scope, server).thenCompose(found2 -> {
          InetAddress address = found2.addresses().stream().filter(a -> deny.match(a).isEmpty()).findFirst().orElse(null);
          if (address == null) {
            return done(null, "the parent's nameserver " + text(server) + " has no address to ask");
          }
          String asked = text(server) + " (" + IpText.of(address) + ") of " + text(found.zone());
          return scope.askAt(new InetSocketAddress(address, port), zone, Type.NS).thenApply(exchange -> {
            if (exchange.response() == null || exchange.outcome().status().isFailure()) {
              return new Parent(null, "asked " + asked + ": " + exchange.outcome().status().label());
            }
            List<String> delegated = new ArrayList<>();
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
              for (Record r : exchange.response().getSection(section)) {
                if (r instanceof NSRecord nsr && r.getName().equals(zone)) {
                  delegated.add(text(nsr.getTarget()));
                }
              }
            }
            if (delegated.isEmpty()) {
              return new Parent(null, "asked " + asked + ": no NS records for the zone in its reply");
            }
            return new Parent(delegated.stream().distinct().sorted().limit(MAX_LISTED).toList(), "asked " + asked);
          });
        });
      });
    });
  }

  private static CompletableFuture<Parent> done(List<String> names, String detail) {
    return CompletableFuture.completedFuture(new Parent(names, detail));
  }

  /** Every address of every nameserver, each asked the four questions. */
  private CompletableFuture<List<Authority.Server>> servers(LookupScope scope, Name zone, Name domain, List<Name> names) {
    List<CompletableFuture<List<Authority.Server>>> perName = new ArrayList<>();
    int[] budget = {MAX_ADDRESSES};
    for (Name ns : names) {
      perName.add(addresses(scope, ns).thenCompose(found -> {
        String nsText = text(ns);
        if (found.addresses().isEmpty()) {
          return CompletableFuture.completedFuture(List.of(server(nsText, null, "no_address", found.detail())));
        }
        List<CompletableFuture<Authority.Server>> asked = new ArrayList<>();
        synchronized (budget) {
          for (InetAddress address : found.addresses()) {
            if (budget[0] == 0) {
              break;
            }
            budget[0]--;
            var range = deny.match(address);
            asked.add(range.isPresent()
                ? CompletableFuture.completedFuture(server(nsText, IpText.of(address), "denied", IpText.of(address) + " is in " + range.get() + " (smtp.deny): not asked"))
                : ask(scope, nsText, address, zone, domain));
          }
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(done -> asked.stream().map(CompletableFuture::join).toList());
      }));
    }
    return CompletableFuture.allOf(perName.toArray(CompletableFuture[]::new))
        .thenApply(done -> perName.stream().flatMap(f -> f.join().stream()).toList());
  }

  private static Authority.Server server(String ns, String address, String outcome, String detail) {
    return new Authority.Server(ns, address, outcome, detail, null, null, null, null, null, null);
  }

  /** A nameserver's addresses, and when it has none, what its lookups gave. */
  private record Addresses(List<InetAddress> addresses, String detail) {}

  /** The first addresses of a nameserver: up to two IPv4 and, where IPv6 is asked, two IPv6. */
  private CompletableFuture<Addresses> addresses(LookupScope scope, Name ns) {
    CompletableFuture<DnsOutcome> a = scope.lookupQuietly(ns, Type.A);
    CompletableFuture<DnsOutcome> aaaa = ipv6 ? scope.lookupQuietly(ns, Type.AAAA) : CompletableFuture.completedFuture(null);
    return a.thenCombine(aaaa, (v4, v6) -> {
      List<InetAddress> out = new ArrayList<>(firstAddresses(v4));
      if (v6 != null) {
        out.addAll(firstAddresses(v6));
      }
      String detail = "no address: A " + v4.status().label() + (v4.status().isFailure() ? " (" + v4.detail() + ")" : "")
          + (v6 == null ? "" : ", AAAA " + v6.status().label() + (v6.status().isFailure() ? " (" + v6.detail() + ")" : ""));
      return new Addresses(out, detail);
    });
  }

  private static List<InetAddress> firstAddresses(DnsOutcome outcome) {
    List<InetAddress> out = new ArrayList<>();
    if (outcome instanceof DnsOutcome.Answer answer) {
      for (Record r : answer.records()) {
        if (out.size() == MAX_ADDRESSES_PER_FAMILY) {
          break;
        }
        try {
          InetAddress address = InetAddress.getByAddress(r.rdataToWireCanonical());
          if (!out.contains(address)) {
            out.add(address);
          }
        } catch (UnknownHostException e) {
          // not 4 or 16 bytes: not an address
        }
      }
    }
    return out;
  }

  /** The four questions to one nameserver address, asked together. */
  private CompletableFuture<Authority.Server> ask(LookupScope scope, String ns, InetAddress address, Name zone, Name domain) {
    InetSocketAddress server = new InetSocketAddress(address, port);
    CompletableFuture<DnsClient.Exchange> soa = scope.askAt(server, zone, Type.SOA);
    CompletableFuture<DnsClient.Exchange> mx = scope.askAt(server, domain, Type.MX);
    CompletableFuture<DnsClient.Exchange> txt = scope.askAt(server, domain, Type.TXT);
    CompletableFuture<DnsClient.Exchange> dmarc = scope.askAt(server, dmarcName(domain), Type.TXT);
    return CompletableFuture.allOf(soa, mx, txt, dmarc).thenApply(done -> {
      String ip = IpText.of(address);
      for (var q : List.of(soa, mx, txt, dmarc)) {
        DnsClient.Exchange e = q.join();
        if (e.outcome().status().isFailure()) {
          return server(ns, ip, e.outcome().status().label(), e.outcome().detail());
        }
        if (e.response() == null || !e.response().getHeader().getFlag(Flags.AA)) {
          String asked = e.response() == null ? "" : e.response().getQuestion() == null ? "" : " to " + Type.string(e.response().getQuestion().getType()) + " " + text(e.response().getQuestion().getName());
          return server(ns, ip, "not_authoritative", "answered" + asked + " without AA: it does not serve the zone (lame delegation)");
        }
      }
      SOARecord soaRecord = first(soa.join().response(), zone, SOARecord.class);
      List<String> mxSet = new ArrayList<>();
      Long mxTtl = null;
      if (mx.join().outcome() instanceof DnsOutcome.Answer answer) {
        for (Record r : answer.records()) {
          MXRecord m = (MXRecord) r;
          mxSet.add(m.getPriority() + " " + text(m.getTarget()));
          mxTtl = mxTtl == null ? m.getTTL() : Math.min(mxTtl, m.getTTL());
        }
      }
      mxSet.sort(null);
      return new Authority.Server(
          ns, ip, "answered", null,
          soaRecord == null ? null : soaRecord.getSerial(),
          soaRecord == null ? null : soaRecord.getTTL(),
          mxSet, mxTtl,
          TxtRecords.select(txt.join().outcome(), t -> t.toLowerCase(Locale.ROOT).startsWith("v=spf1")).stream().sorted().toList(),
          TxtRecords.select(dmarc.join().outcome(), t -> t.startsWith("v=DMARC1")).stream().sorted().toList());
    });
  }

  private static <T extends Record> T first(Message response, Name owner, Class<T> type) {
    if (response == null) {
      return null;
    }
    for (Record r : response.getSection(Section.ANSWER)) {
      if (type.isInstance(r) && r.getName().equals(owner)) {
        return type.cast(r);
      }
    }
    return null;
  }

  /** The NS names of an answer, sorted and at most {@value #MAX_LISTED}. */
  private static List<Name> nsNames(DnsOutcome outcome) {
    if (!(outcome instanceof DnsOutcome.Answer answer)) {
      return List.of();
    }
    return answer.records().stream()
        .map(r -> ((NSRecord) r).getTarget())
        .distinct()
        .sorted()
        .limit(MAX_LISTED)
        .toList();
  }

  private static Name dmarcName(Name domain) {
    try {
      return Name.concatenate(DMARC, domain);
    } catch (org.xbill.DNS.NameTooLongException e) {
      return domain; // the DMARC section reports the same name as too long
    }
  }

  private static List<String> texts(List<Name> names) {
    return names.stream().map(Nameservers::text).toList();
  }

  static String text(Name name) {
    String s = io.mxwatch.dns.NameText.of(name);
    return s.isEmpty() ? "." : s;
  }
}
