package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsClient;
import io.mxwatch.dns.DnsOutcome;
import io.mxwatch.dns.DnsStatus;
import io.mxwatch.dns.LookupScope;
import io.mxwatch.net.IpText;
import io.mxwatch.policy.DkimResult;
import io.mxwatch.policy.DmarcAnalyzer;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfAnalyzer;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.smtp.SmtpProber;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Takes one snapshot of one domain: MX with the addresses of every exchange (then an SMTP probe of
 * every address), SPF with its include tree, DMARC with its report authorizations. The three run
 * side by side as chains of lookups; within each, independent lookups are in flight together, and
 * no thread waits on a lookup ({@link #takeAsync}; {@link #take} waits for the whole). SMTP probes block, so
 * each runs on a task of its own.
 */
public final class Snapshotter {

  /**
   * @param deadline the time a check may spend on DNS; lookups still open then count as timed out
   * @param probeSmtp whether exchanges are probed
   * @param authoritative whether every authoritative nameserver of the domain's zone is asked too
   *     ({@link Authority})
   * @param nameserverPort the port nameservers are asked on: 53 (tests serve zones on another)
   */
  public record Settings(Duration deadline, boolean probeSmtp, boolean authoritative, int nameserverPort) {
    public Settings(Duration deadline, boolean probeSmtp) {
      this(deadline, probeSmtp, false, 53);
    }
  }

  private final DnsClient dns;
  private final SmtpProber smtp;
  private final Settings settings;
  private final Clock clock;
  private final ExecutorService tasks;
  private final SpfAnalyzer spfAnalyzer = new SpfAnalyzer();
  private final DmarcAnalyzer dmarcAnalyzer = new DmarcAnalyzer();
  private final TransportPolicies transport;
  private final Nameservers nameservers;
  private final io.mxwatch.dns.DnssecValidator dnssec;

  /** A snapshotter that reads the MTA-STS record but does not fetch the policy. */
  public Snapshotter(DnsClient dns, SmtpProber smtp, Settings settings, Clock clock, ExecutorService tasks) {
    this(dns, smtp, settings, clock, tasks, null);
  }

  /**
   * @param tasks runs the parts of a check and the SMTP probes; virtual threads suit it
   * @param mtaSts fetches MTA-STS policies; null: not fetched
   */
  public Snapshotter(DnsClient dns, SmtpProber smtp, Settings settings, Clock clock, ExecutorService tasks, io.mxwatch.tls.MtaStsFetcher mtaSts) {
    this(dns, smtp, settings, clock, tasks, mtaSts, null);
  }

  /**
   * @param dnssec validates the MX set, the exchanges' addresses and their TLSA records, which are
   *     then looked up too (DANE); null: no validation, no TLSA
   */
  public Snapshotter(
      DnsClient dns, SmtpProber smtp, Settings settings, Clock clock, ExecutorService tasks, io.mxwatch.tls.MtaStsFetcher mtaSts,
      io.mxwatch.dns.DnssecValidator dnssec) {
    this.dnssec = dnssec;
    this.dns = dns;
    this.smtp = smtp;
    this.settings = settings;
    this.clock = clock;
    this.tasks = tasks;
    this.transport = new TransportPolicies(mtaSts, smtp.settings().deny());
    this.nameservers = new Nameservers(smtp.settings().deny(), smtp.settings().ipv6(), settings.nameserverPort());
  }

  /** Snapshots {@code domain}, a valid domain name (lowercase, no trailing dot). */
  public Snapshot take(String domain) {
    return takeAsync(domain).join();
  }

  /** Snapshots {@code domain} without holding a thread while lookups are in flight. */
  public CompletableFuture<Snapshot> takeAsync(String domain) {
    return takeAsync(domain, List.of());
  }

  /**
   * Snapshots {@code domain} and the DKIM keys of {@code dkimSelectors} (valid selectors: {@link
   * io.mxwatch.config.DkimSelectors}), without holding a thread while lookups are in flight.
   */
  public CompletableFuture<Snapshot> takeAsync(String domain, List<String> dkimSelectors) {
    Instant startedAt = clock.instant();
    long start = System.nanoTime();
    Name name = absolute(domain);
    LookupScope scope = new LookupScope(dns, start + settings.deadline().toNanos(), dnssec);

    CompletableFuture<MxResult> mx = scope.lookup(name, Type.MX).thenCompose(outcome -> mx(scope, name, outcome));
    CompletableFuture<List<SmtpProbe>> probes =
        mx.thenCompose(result -> settings.probeSmtp() ? probeAll(result) : CompletableFuture.completedFuture(List.of()));
    CompletableFuture<SpfResult> spf =
        scope.lookup(name, Type.TXT).thenCompose(txt -> spfAnalyzer.analyzeAsync(scope, name, txt));
    CompletableFuture<DmarcResult> dmarc =
        scope
            .lookup(DmarcAnalyzer.recordName(name), Type.TXT)
            .thenCompose(txt -> dmarcAnalyzer.analyzeAsync(scope, name, txt));
    CompletableFuture<Transport> policies = transport.analyze(scope, name, domain);
    CompletableFuture<List<DkimResult>> dkim = dkim(scope, name, dkimSelectors);
    CompletableFuture<Authority> authority =
        settings.authoritative() ? nameservers.analyze(scope, name) : CompletableFuture.completedFuture(null);

    return CompletableFuture.allOf(mx, probes, spf, dmarc, policies, dkim, authority)
        .thenApply(
            done ->
                new Snapshot(
                    domain,
                    startedAt,
                    Math.round((System.nanoTime() - start) / 1_000.0) / 1_000.0,
                    mx.join(),
                    spf.join(),
                    dmarc.join(),
                    settings.probeSmtp(),
                    probes.join(),
                    scope.record(),
                    policies.join(),
                    dkimSelectors.isEmpty() ? null : dkim.join(),
                    authority.join()));
  }

  /** The key record of each selector, at {@code <selector>._domainkey.<domain>}. */
  private static CompletableFuture<List<DkimResult>> dkim(LookupScope scope, Name domain, List<String> selectors) {
    if (selectors.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<CompletableFuture<DkimResult>> keys = new ArrayList<>();
    for (String selector : selectors) {
      Name at;
      try {
        at = Name.concatenate(Name.fromString(selector + "._domainkey"), domain);
      } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
        // validated selectors parse; a name too long for this domain is the one way left
        String name = selector + "._domainkey." + text(domain);
        keys.add(CompletableFuture.completedFuture(new DkimResult(selector, name, DnsStatus.ERROR, List.of(), null)));
        continue;
      }
      String name = text(at);
      keys.add(scope.lookup(at, Type.TXT).thenApply(txt -> DkimResult.of(selector, name, txt)));
    }
    return CompletableFuture.allOf(keys.toArray(CompletableFuture[]::new)).thenApply(done -> keys.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<MxResult> mx(LookupScope scope, Name domain, DnsOutcome outcome) {
    return switch (outcome) {
      case DnsOutcome.Failure failure ->
          CompletableFuture.completedFuture(new MxResult(outcome.status(), MxResult.Mode.UNKNOWN, false, List.of()));
      case DnsOutcome.NxDomain nx ->
          CompletableFuture.completedFuture(new MxResult(outcome.status(), MxResult.Mode.NONE, nx.authoritative(), List.of()));
      case DnsOutcome.NoData noData -> implicitMx(scope, domain, noData);
      case DnsOutcome.Answer answer -> explicitMx(scope, answer);
    };
  }

  private CompletableFuture<MxResult> explicitMx(LookupScope scope, DnsOutcome.Answer answer) {
    List<MXRecord> records = new ArrayList<>(answer.records().size());
    for (Record r : answer.records()) {
      records.add((MXRecord) r);
    }
    records.sort(Comparator.comparingInt(MXRecord::getPriority).thenComparing(r -> text(r.getTarget())));
    if (records.size() == 1 && records.get(0).getTarget().equals(Name.root)) {
      MXRecord nullMx = records.get(0);
      MxHost host = new MxHost(nullMx.getPriority(), ".", nullMx.getTTL(), null, null, null, List.of());
      return CompletableFuture.completedFuture(
          new MxResult(answer.status(), MxResult.Mode.NULL_MX, answer.authoritative(), List.of(host)));
    }
    // start the address lookups of every exchange before waiting for any
    List<AddressLookups> lookups = new ArrayList<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    String[] exchanges = new String[records.size()];
    for (int i = 0; i < records.size(); i++) {
      MXRecord record = records.get(i);
      exchanges[i] = exchangeText(record.getTarget());
      // the exchanges past the first MAX_EXCHANGES (by preference) are listed, not looked up
      boolean resolvable = i < MAX_EXCHANGES && MxHost.resolvable(exchanges[i]);
      AddressLookups addresses = resolvable ? AddressLookups.start(scope, record.getTarget()) : null;
      lookups.add(addresses);
      if (addresses != null) {
        pending.addAll(java.util.Arrays.asList(addresses.all()));
      }
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(
            answered -> {
              List<MxHost> hosts = new ArrayList<>();
              for (int i = 0; i < records.size(); i++) {
                MXRecord record = records.get(i);
                String exchange = exchanges[i];
                hosts.add(
                    lookups.get(i) == null
                        ? new MxHost(record.getPriority(), exchange, record.getTTL(), null, null, null, List.of())
                        : lookups.get(i).host(record.getPriority(), exchange, record.getTTL()));
              }
              return new MxResult(answer.status(), MxResult.Mode.MX, answer.authoritative(), hosts);
            });
  }

  /** RFC 5321 §5.1: no MX records, so the domain itself is the exchange, if it has an address. */
  private CompletableFuture<MxResult> implicitMx(LookupScope scope, Name domain, DnsOutcome.NoData noData) {
    AddressLookups lookups = AddressLookups.start(scope, domain);
    DnsStatus status = noData.status();
    return CompletableFuture.allOf(lookups.all())
        .thenApply(
            answered -> {
              MxHost host = lookups.host(0, text(domain), 0);
              if (!host.addresses().isEmpty()) {
                return new MxResult(status, MxResult.Mode.IMPLICIT, noData.authoritative(), List.of(host));
              }
              if (host.aOutcome().isFailure() || host.aaaaOutcome().isFailure()) {
                return new MxResult(status, MxResult.Mode.UNKNOWN, noData.authoritative(), List.of());
              }
              return new MxResult(status, MxResult.Mode.NONE, noData.authoritative(), List.of());
            });
  }

  /**
   * The A and AAAA lookups of one name, started together, and its TLSA lookup when the scope
   * validates; {@link #host} once all are done.
   */
  private record AddressLookups(
      LookupScope scope, Name tlsaOwner, CompletableFuture<DnsOutcome> a, CompletableFuture<DnsOutcome> aaaa, CompletableFuture<DnsOutcome> tlsa) {
    static AddressLookups start(LookupScope scope, Name name) {
      Name owner = scope.validates() ? tlsaName(name) : null;
      return new AddressLookups(
          scope, owner, scope.lookup(name, Type.A), scope.lookup(name, Type.AAAA), owner == null ? null : scope.lookup(owner, Type.TLSA));
    }

    CompletableFuture<?>[] all() {
      return tlsa == null ? new CompletableFuture<?>[] {a, aaaa} : new CompletableFuture<?>[] {a, aaaa, tlsa};
    }

    MxHost host(int preference, String exchange, long ttl) {
      DnsOutcome v4 = a.join();
      DnsOutcome v6 = aaaa.join();
      List<MxHost.HostAddress> addresses = new ArrayList<>();
      for (DnsOutcome outcome : List.of(v4, v6)) {
        if (outcome instanceof DnsOutcome.Answer answer) {
          for (Record r : answer.records()) {
            // the rdata of A and AAAA is the address (getAddress() would also render the owner name)
            addresses.add(new MxHost.HostAddress(IpText.of(r.rdataToWireCanonical()), r.getTTL()));
          }
        }
      }
      List<Name> chain = !v4.cnameChain().isEmpty() ? v4.cnameChain() : v6.cnameChain();
      String cname = chain.isEmpty() ? null : text(chain.get(0));
      return new MxHost(preference, exchange, ttl, cname, v4.status(), v6.status(), addresses, tlsaSet());
    }

    private io.mxwatch.tls.TlsaSet tlsaSet() {
      if (tlsa == null) {
        return null;
      }
      DnsOutcome outcome = tlsa.join();
      List<io.mxwatch.tls.TlsaRecord> records = new ArrayList<>();
      if (outcome instanceof DnsOutcome.Answer answer) {
        for (Record r : answer.records()) {
          if (r instanceof org.xbill.DNS.TLSARecord t && records.size() < io.mxwatch.tls.TlsaSet.MAX_RECORDS) {
            records.add(io.mxwatch.tls.TlsaRecord.of(t));
          }
        }
      }
      records.sort(Comparator.comparing(io.mxwatch.tls.TlsaRecord::usage).thenComparing(io.mxwatch.tls.TlsaRecord::selector)
          .thenComparing(io.mxwatch.tls.TlsaRecord::matchingType).thenComparing(io.mxwatch.tls.TlsaRecord::data));
      return new io.mxwatch.tls.TlsaSet(outcome.status(), scope.dnssec(tlsaOwner, Type.TLSA), records);
    }
  }

  /** Where an exchange's TLSA records are: {@code _25._tcp.<exchange>} (RFC 7672 §2.2.3). */
  static Name tlsaName(Name exchange) {
    try {
      return Name.concatenate(Name.fromConstantString("_25._tcp"), exchange);
    } catch (org.xbill.DNS.NameTooLongException e) {
      return null;
    }
  }

  /**
   * Exchanges whose addresses are looked up, lowest preference first: a hostile MX set of
   * thousands of records costs a check this many A and AAAA lookups at most.
   */
  static final int MAX_EXCHANGES = 32;

  /** Distinct exchange addresses probed per check, in preference order; the rest are not probed. */
  static final int MAX_PROBES = 32;

  /**
   * Probes of one check holding an SMTP connection at once: 32 tarpit addresses of one domain hold
   * this many of the process's {@code smtp.max_concurrent} connections, not 32.
   */
  static final int PROBES_AT_ONCE = 8;

  /**
   * Probes every distinct address of the deliverable exchanges (the first {@value #MAX_PROBES}),
   * each on its own task, {@value #PROBES_AT_ONCE} at a time; a probe that finds no free turn
   * within its deadline is reported as not probed.
   */
  private CompletableFuture<List<SmtpProbe>> probeAll(MxResult mx) {
    Map<String, CompletableFuture<SmtpProbe>> probes = new LinkedHashMap<>();
    SmtpProber.Share share = new SmtpProber.Share(PROBES_AT_ONCE);
    for (MxHost host : mx.deliverable()) {
      for (MxHost.HostAddress address : host.addresses()) {
        if (address.ipv6() && !smtp.settings().ipv6()) {
          continue;
        }
        if (probes.size() >= MAX_PROBES && !probes.containsKey(address.address())) {
          continue; // 1,000 tarpit addresses cost a check 32 probes, not 1,000
        }
        probes.computeIfAbsent(
            address.address(),
            // the first exchange (by preference) with the address is the name a handshake sends (SNI)
            ip -> CompletableFuture.supplyAsync(() -> smtp.probe(literal(ip), host.exchange(), share), tasks));
      }
    }
    return CompletableFuture.allOf(probes.values().toArray(CompletableFuture[]::new))
        .thenApply(done -> probes.values().stream().map(CompletableFuture::join).toList());
  }

  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByAddress(org.xbill.DNS.Address.toByteArray(ip, ip.indexOf(':') >= 0 ? org.xbill.DNS.Address.IPv6 : org.xbill.DNS.Address.IPv4));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("not an IP literal: " + ip, e);
    }
  }

  private static Name absolute(String domain) {
    try {
      return Name.fromString(domain + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a domain name: " + domain, e);
    }
  }

  private static String exchangeText(Name name) {
    return name.equals(Name.root) ? "." : text(name);
  }

  private static String text(Name name) {
    return io.mxwatch.dns.NameText.of(name);
  }
}
