package io.mxwatch.app;

import io.mxwatch.audit.Auditor;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.cli.Checker;
import io.mxwatch.cli.CheckerFactory;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.dns.DnsClient;
import io.mxwatch.dns.DnsSettings;
import io.mxwatch.smtp.SmtpProber;
import io.mxwatch.smtp.SmtpSettings;
import io.mxwatch.tls.MtaStsFetcher;
import io.mxwatch.snapshot.Snapshotter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xbill.DNS.ResolverConfig;

/** Builds every object of a check from the configuration, by hand, in one place. */
final class Wiring implements CheckerFactory {
  private final Clock clock;

  Wiring(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Checker open(MxwatchConfig config) throws ConfigException {
    MxwatchConfig.Dns d = config.dns();
    DnsClient dns =
        new DnsClient(new DnsSettings(resolvers(d), d.timeout(), d.retries(), d.maxInFlight(), d.caseRandomization()), Runnable::run);
    SmtpProber smtp = new SmtpProber(config.smtp().probe());
    ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    SmtpSettings.Tls tls = config.smtp().probe().tls();
    // RFC 8461 §3.3: the policy host on port 443, judged by the same roots as the exchanges
    MtaStsFetcher mtaSts = tls.mtaSts() ? new MtaStsFetcher(tls.trust(), 443, config.smtp().probe().readTimeout()) : null;
    io.mxwatch.dns.DnssecValidator dnssec;
    try {
      dnssec = d.dnssec().validate() ? io.mxwatch.dns.DnssecValidator.of(dns, d.dnssec().trustAnchors(), clock) : null;
    } catch (IllegalArgumentException e) {
      dns.close();
      throw new ConfigException("dns.dnssec.trust_anchors: " + e.getMessage());
    }
    Snapshotter snapshotter =
        new Snapshotter(
            dns, smtp, new Snapshotter.Settings(config.check().deadline(), config.smtp().enabled(), config.check().authoritative(), config.check().nameserverPort()), clock, tasks, mtaSts, dnssec);
    Auditor auditor = new Auditor();
    return new Checker() {
      @Override
      public CheckResult check(String domain) {
        return checkAsync(domain).join();
      }

      @Override
      public CompletableFuture<CheckResult> checkAsync(String domain) {
        return checkAsync(domain, List.of());
      }

      @Override
      public CompletableFuture<CheckResult> checkAsync(String domain, List<String> dkimSelectors) {
        return snapshotter.takeAsync(domain, dkimSelectors).thenApply(snapshot -> new CheckResult(snapshot, auditor.audit(snapshot)));
      }

      @Override
      public void close() {
        tasks.shutdown();
        dns.close();
        if (mtaSts != null) {
          mtaSts.close();
        }
      }
    };
  }

  /** The configured resolvers, else the system's (resolv.conf); never an implicit public one. */
  private static List<InetSocketAddress> resolvers(MxwatchConfig.Dns dns) throws ConfigException {
    if (!dns.resolvers().isEmpty()) {
      return dns.resolvers();
    }
    List<InetSocketAddress> system = ResolverConfig.getCurrentConfig().servers();
    if (system.isEmpty()) {
      throw new ConfigException(
          "no DNS resolver: none configured (dns.resolvers or --resolver) and none found in the system configuration");
    }
    return system;
  }
}
