package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.DkimSelectors;
import io.mxwatch.config.Durations;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.config.ResolverAddresses;
import io.mxwatch.smtp.SmtpSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch check}: snapshot and audit domains once, report, exit like a Nagios plugin. */
@Command(
    name = "check",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    header = "Checks domains once: MX, every exchange's addresses and SMTP, SPF, DMARC.",
    description = {
      "Snapshots the mail routing of each domain (MX and the addresses of every exchange, SPF, DMARC,",
      "an SMTP probe of every exchange address), audits it and reports what is wrong."
    },
    exitCodeListHeading = "%nExit status (the worst over all domains):%n",
    exitCodeList = {
      "0:OK",
      "1:WARNING",
      "2:CRITICAL: mail cannot be delivered, or a policy is a permerror",
      "3:UNKNOWN: a lookup failed; or bad usage, config or input"
    })
public final class CheckCommand implements Callable<Integer> {
  public enum Format {
    text,
    json,
    jsonl
  }

  @Parameters(paramLabel = "DOMAIN", arity = "0..*", description = "Domains to check.")
  private List<String> domains = new ArrayList<>();

  @Option(names = "--file", paramLabel = "DOMAINS.txt", description = "Also check the domains in this file: one per line, # starts a comment.")
  private Path file;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text, json (one array) or jsonl (one object per line, as each domain finishes). Default: ${DEFAULT-VALUE}.")
  private Format format;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (resolvers, timeouts, SMTP settings); options given here override it.")
  private Path config;

  @Option(names = "--resolver", paramLabel = "ADDR[:PORT]", description = "DNS resolver to query, repeatable. Default: dns.resolvers from the config, else the system's resolvers.")
  private List<String> resolvers = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION", description = "How long one DNS query waits for an answer (e.g. 2s).")
  private String timeout;

  @Option(names = "--retries", paramLabel = "N", description = "Further DNS attempts after a query fails.")
  private Integer retries;

  @Option(names = "--deadline", paramLabel = "DURATION", description = "How long one domain's lookups may take in all (e.g. 20s).")
  private String deadline;

  @Option(names = "--no-smtp", description = "Do not probe the exchanges.")
  private boolean noSmtp;

  @Option(names = "--smtp-port", paramLabel = "PORT", description = "Probe exchanges on this port instead of 25.")
  private Integer smtpPort;

  @Option(names = "--helo", paramLabel = "NAME", description = "The name to send with EHLO.")
  private String helo;

  @Option(names = "--no-ipv6", description = "Do not probe the IPv6 addresses of exchanges.")
  private boolean noIpv6;

  @Option(
      names = "--smtp-deny",
      split = ",",
      paramLabel = "CIDR",
      description = "Address ranges never probed (default: loopback, private, link-local and the other special-purpose ranges); 'none' probes any address.")
  private List<String> smtpDeny;

  @Option(names = "--no-dnssec", description = "No DNSSEC validation and no TLSA lookups (DANE).")
  private boolean noDnssec;

  @Option(names = "--trust-anchors", paramLabel = "FILE", description = "DNSSEC trust anchors (DS or DNSKEY records in zone-file format) instead of the shipped root anchors.")
  private java.nio.file.Path trustAnchors;

  @Option(names = "--no-tls", description = "No STARTTLS handshake with the exchanges (STARTTLS is still seen in their EHLO list) and no MTA-STS policy fetch.")
  private boolean noTls;

  @Option(
      names = "--tls-trust",
      paramLabel = "FILE",
      description = "A PEM bundle of the roots that served certificate chains are judged against (default: the JDK's trust store).")
  private java.nio.file.Path tlsTrust;

  @Option(names = "--concurrency", paramLabel = "N", description = "Domains checked at once.")
  private Integer concurrency;

  @Option(names = "--max-dns-in-flight", paramLabel = "N", description = "DNS queries outstanding at once.")
  private Integer maxDnsInFlight;

  @Option(names = "--max-smtp", paramLabel = "N", description = "SMTP connections open at once.")
  private Integer maxSmtp;

  @Option(
      names = "--authoritative",
      description = "Ask every authoritative nameserver of each domain's zone too: whether they agree on MX, SPF, DMARC and the SOA serial, and answer with authority (the daemon always does).")
  private boolean authoritative;

  @Option(
      names = "--dkim-selector",
      paramLabel = "SELECTOR",
      description = "Check the DKIM key of this selector (<selector>._domainkey.<domain>) of every domain; repeat for more. Default: the domain's dkim_selectors in --config, else its defaults'.")
  private List<String> dkimSelectors = new ArrayList<>();

  private final CheckerFactory factory;
  private final PrintStream out;

  public CheckCommand(CheckerFactory factory, PrintStream out) {
    this.factory = factory;
    this.out = out;
  }

  @Override
  public Integer call() throws ConfigException, IOException, InterruptedException {
    List<String> fromArguments = DomainList.fromArguments(domains);
    if (file != null) {
      DomainList.validate(file);
    }
    if (fromArguments.isEmpty() && file == null) {
      throw new ConfigException("no domain to check: name domains or give --file");
    }
    MxwatchConfig effective = effectiveConfig();
    ReportWriter writer =
        switch (format) {
          case text -> new TextReport(out);
          case json -> new JsonReport(out, false);
          case jsonl -> new JsonReport(out, true);
        };
    try (Checker checker = factory.open(effective);
        BufferedReader lines = file == null ? null : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Iterator<String> all = fromArguments.iterator();
      if (lines != null) {
        Iterator<String> fromFile = DomainList.stream(lines);
        Iterator<String> first = all;
        all = new Iterator<>() {
          @Override
          public boolean hasNext() {
            return first.hasNext() || fromFile.hasNext();
          }

          @Override
          public String next() {
            return first.hasNext() ? first.next() : fromFile.next();
          }
        };
      }
      // jsonl is written as each domain finishes; text and json keep the input order
      boolean ordered = format != Format.jsonl;
      Tally tally = new BatchCheck(checker, writer, effective.check().concurrency(), ordered, selectorsOf(effective)).run(all);
      return tally.worst().exitCode();
    }
  }

  /** The DKIM selectors of each domain: those given here, else the configured ones. */
  private java.util.function.Function<String, List<String>> selectorsOf(MxwatchConfig effective) throws ConfigException {
    if (!dkimSelectors.isEmpty()) {
      List<String> given;
      try {
        given = DkimSelectors.normalize(dkimSelectors);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--dkim-selector: " + e.getMessage());
      }
      return domain -> given;
    }
    MxwatchConfig.Watch watch = effective.watch();
    if (config == null) {
      return domain -> List.of();
    }
    return domain -> watch.domain(domain).map(MxwatchConfig.Domain::dkimSelectors).orElse(watch.dkimSelectors());
  }

  /** The config file (or the defaults) with this command's options on top. */
  MxwatchConfig effectiveConfig() throws ConfigException {
    MxwatchConfig c = config == null ? MxwatchConfig.defaults() : new ConfigLoader().load(config);
    MxwatchConfig.Dns dns = c.dns();
    List<InetSocketAddress> servers = new ArrayList<>();
    for (String resolver : resolvers) {
      servers.add(parse("--resolver", resolver, ResolverAddresses::parse));
    }
    dns =
        new MxwatchConfig.Dns(
            servers.isEmpty() ? dns.resolvers() : servers,
            timeout == null ? dns.timeout() : positive("--timeout", timeout),
            retries == null ? dns.retries() : range("--retries", retries, 0, 10),
            maxDnsInFlight == null ? dns.maxInFlight() : range("--max-dns-in-flight", maxDnsInFlight, 1, 100_000),
            dns.caseRandomization(),
            dnssec(dns.dnssec()));
    SmtpSettings p = c.smtp().probe();
    MxwatchConfig.Smtp s =
        new MxwatchConfig.Smtp(
            c.smtp().enabled() && !noSmtp,
            new SmtpSettings(
                smtpPort == null ? p.port() : range("--smtp-port", smtpPort, 1, 65535),
                helo == null ? p.heloName() : helo(helo),
                p.connectTimeout(),
                p.readTimeout(),
                p.deadline(),
                maxSmtp == null ? p.maxConcurrent() : range("--max-smtp", maxSmtp, 1, 10_000),
                p.ipv6() && !noIpv6,
                smtpDeny == null ? p.deny() : smtpDeny(smtpDeny),
                tls(p.tls())));
    MxwatchConfig.Check check =
        new MxwatchConfig.Check(
            deadline == null ? c.check().deadline() : positive("--deadline", deadline),
            concurrency == null ? c.check().concurrency() : range("--concurrency", concurrency, 1, 100_000),
            authoritative,
            c.check().inconsistentAfter(),
            c.check().nameserverPort());
    return c.withProbing(dns, s, check);
  }

  /** DNSSEC: the configuration's, with --no-dnssec and --trust-anchors on top. */
  private MxwatchConfig.Dnssec dnssec(MxwatchConfig.Dnssec configured) throws ConfigException {
    if (trustAnchors != null) {
      try {
        io.mxwatch.dns.DnssecValidator.readAnchors(trustAnchors);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--trust-anchors: " + e.getMessage());
      }
    }
    return new MxwatchConfig.Dnssec(configured.validate() && !noDnssec, trustAnchors != null ? trustAnchors : configured.trustAnchors());
  }

  /** The handshakes: the configuration's, with --no-tls and --tls-trust on top. */
  private SmtpSettings.Tls tls(SmtpSettings.Tls configured) throws ConfigException {
    if (tlsTrust != null) {
      try {
        io.mxwatch.tls.TrustStores.fromFile(tlsTrust);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--tls-trust: " + e.getMessage());
      }
    }
    return new SmtpSettings.Tls(
        configured.handshake() && !noTls, configured.bothKeyTypes(), tlsTrust != null ? tlsTrust : configured.trustBundle(), configured.mtaSts() && !noTls);
  }

  private static <T> T parse(String option, String value, java.util.function.Function<String, T> parser) throws ConfigException {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option + ": " + e.getMessage());
    }
  }

  private static Duration positive(String option, String value) throws ConfigException {
    Duration d = parse(option, value, Durations::parse);
    if (d.isZero()) {
      throw new ConfigException(option + ": must be longer than 0");
    }
    return d;
  }

  private static io.mxwatch.net.AddressRanges smtpDeny(List<String> values) throws ConfigException {
    if (values.size() == 1 && values.getFirst().strip().equals("none")) {
      return io.mxwatch.net.AddressRanges.NONE;
    }
    try {
      return io.mxwatch.net.AddressRanges.of(values);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--smtp-deny: " + e.getMessage());
    }
  }

  private static int range(String option, int value, int min, int max) throws ConfigException {
    if (value < min || value > max) {
      throw new ConfigException(option + ": must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  private static String helo(String name) throws ConfigException {
    if (!name.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) {
      throw new ConfigException("--helo: '" + name + "' is not a host name");
    }
    return name;
  }
}
