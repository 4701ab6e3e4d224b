package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * What each authoritative nameserver of the domain's zone says, asked directly and without
 * recursion: the view that shows a secondary behind its primary, a forgotten provider still in the
 * delegation, or a change made at one DNS host of two.
 *
 * @param zone the zone that holds the domain (the owner of the SOA the resolver gives); null when
 *     it could not be found
 * @param zoneOutcome the SOA lookup that found it
 * @param nameservers the NS set of the zone as the resolver gives it, sorted
 * @param parentNameservers the NS set the parent zone delegates to, sorted; null when it could not
 *     be learnt (the reason in {@code parentDetail})
 * @param parentDetail how the parent's set was learnt (the parent server asked), or why not
 * @param servers one entry per nameserver address asked (and per nameserver without an address)
 */
public record Authority(
    String zone, DnsStatus zoneOutcome, List<String> nameservers, List<String> parentNameservers, String parentDetail, List<Server> servers) {

  public Authority {
    nameservers = List.copyOf(nameservers);
    parentNameservers = parentNameservers == null ? null : List.copyOf(parentNameservers);
    servers = List.copyOf(servers);
  }

  /**
   * One nameserver address and what it said.
   *
   * @param nameserver the nameserver's name
   * @param address its address; null when it has none (see {@code detail})
   * @param outcome {@code answered} (authoritatively, to every question), {@code not_authoritative}
   *     (an answer without AA: a lame delegation), {@code no_address}, {@code denied} (the address is
   *     in smtp.deny: not asked), or the failure of the first question that failed ({@code timeout},
   *     {@code refused}, {@code servfail}, {@code error})
   * @param detail what went wrong, when something did
   * @param serial the zone's SOA serial there
   * @param soaTtl the TTL of its SOA record (how long caches keep negative answers, bounded by the minimum field)
   * @param mx its MX set, {@code preference exchange}, sorted; null unless answered
   * @param mxTtl the TTL of its MX records: how long caches keep the set
   * @param spf its {@code v=spf1} records of the domain, sorted; null unless answered
   * @param dmarc its DMARC records at {@code _dmarc.<domain>}, sorted; null unless answered
   */
  public record Server(
      String nameserver, String address, String outcome, String detail, Long serial, Long soaTtl, List<String> mx, Long mxTtl, List<String> spf,
      List<String> dmarc) {
    public Server {
      mx = mx == null ? null : List.copyOf(mx);
      spf = spf == null ? null : List.copyOf(spf);
      dmarc = dmarc == null ? null : List.copyOf(dmarc);
    }

    public boolean answered() {
      return outcome.equals("answered");
    }

    /** The name and address, as findings name a server: {@code ns1.example.net (192.0.2.1)}. */
    public String label() {
      return address == null ? nameserver : nameserver + " (" + address + ")";
    }
  }

  /** The servers that answered every question authoritatively. */
  public List<Server> answering() {
    return servers.stream().filter(Server::answered).toList();
  }
}
