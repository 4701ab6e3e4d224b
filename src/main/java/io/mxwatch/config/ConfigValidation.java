package io.mxwatch.config;

import io.mxwatch.smtp.SmtpSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns raw values into checked ones, collecting every error with its file, line and key. Values
 * from the environment override the file's and are named by their variable in messages.
 */
final class ConfigValidation {
  /** Environment variables that override a key of the file. */
  static final String ENV_DATA_DIR = "MXWATCH_DATA_DIR";

  static final String ENV_STORE_URL = "MXWATCH_STORE_URL";
  static final String ENV_STORE_USER = "MXWATCH_STORE_USER";
  static final String ENV_STORE_PASSWORD = "MXWATCH_STORE_PASSWORD";
  static final String ENV_HTTP_LISTEN = "MXWATCH_HTTP_LISTEN";
  static final String ENV_HTTP_TOKEN = "MXWATCH_HTTP_TOKEN";
  static final String ENV_DOMAINS_FILE = "MXWATCH_DOMAINS_FILE";
  static final String ENV_RELAY_PASSWORD = "MXWATCH_RELAY_PASSWORD";

  /** Shorter bearer tokens are guessable. */
  private static final int MIN_TOKEN_LENGTH = 16;

  private final Problems p;
  private final Path baseDir;
  private final Map<String, String> env;

  private final boolean deferDomainsFile;

  ConfigValidation(String source, Path baseDir, Map<String, Integer> lines, Map<String, String> env, boolean deferDomainsFile) {
    this.p = new Problems(source, lines);
    this.baseDir = baseDir;
    this.env = env;
    this.deferDomainsFile = deferDomainsFile;
  }

  MxwatchConfig config(RawConfig raw) throws ConfigException {
    MxwatchConfig config =
        new MxwatchConfig(
            dns(raw.dns()),
            smtp(raw.smtp()),
            check(raw.check()),
            new WatchValidation(p, baseDir, env, deferDomainsFile).watch(raw.defaults(), raw.domains(), raw.domainsFile()),
            store(raw.store()),
            http(raw.http()),
            metrics(raw.metrics()),
            new AlertsValidation(p, baseDir, env).alerts(raw.alerts()));
    p.throwIfAny();
    return config;
  }

  private MxwatchConfig.Dns dns(RawConfig.RawDns raw) {
    MxwatchConfig.Dns d = MxwatchConfig.Dns.defaults();
    if (raw == null) {
      return d;
    }
    List<InetSocketAddress> resolvers = new ArrayList<>();
    if (raw.resolvers() != null) {
      for (int i = 0; i < raw.resolvers().size(); i++) {
        InetSocketAddress a = p.value("dns.resolvers[" + i + "]", raw.resolvers().get(i), ResolverAddresses::parse, null);
        if (a != null) {
          resolvers.add(a);
        }
      }
    }
    return new MxwatchConfig.Dns(
        resolvers,
        p.duration("dns.timeout", raw.timeout(), d.timeout(), Duration.ofMillis(10), Duration.ofSeconds(60)),
        p.number("dns.retries", raw.retries(), d.retries(), 0, 10),
        p.number("dns.max_in_flight", raw.maxInFlight(), d.maxInFlight(), 1, 100_000),
        raw.caseRandomization() == null ? d.caseRandomization() : raw.caseRandomization(),
        dnssec(raw.dnssec()));
  }

  /** {@code dns.dnssec}: validation, and the trust anchors to validate from (a file of DS/DNSKEY records). */
  private MxwatchConfig.Dnssec dnssec(RawConfig.RawDnssec raw) {
    MxwatchConfig.Dnssec d = MxwatchConfig.Dnssec.defaults();
    if (raw == null) {
      return d;
    }
    Path anchors = null;
    if (raw.trustAnchors() != null && !raw.trustAnchors().strip().equals("root")) {
      anchors = baseDir.resolve(raw.trustAnchors().strip());
      try {
        io.mxwatch.dns.DnssecValidator.readAnchors(anchors, raw.trustAnchors().strip());
      } catch (IllegalArgumentException e) {
        p.error("dns.dnssec.trust_anchors", e.getMessage());
      }
    }
    return new MxwatchConfig.Dnssec(raw.validate() == null ? d.validate() : raw.validate(), anchors);
  }

  private MxwatchConfig.Smtp smtp(RawConfig.RawSmtp raw) {
    MxwatchConfig.Smtp defaults = MxwatchConfig.Smtp.defaults();
    if (raw == null) {
      return defaults;
    }
    SmtpSettings d = defaults.probe();
    Duration max = Duration.ofMinutes(10);
    Duration min = Duration.ofMillis(10);
    return new MxwatchConfig.Smtp(
        raw.enabled() == null ? defaults.enabled() : raw.enabled(),
        new SmtpSettings(
            p.number("smtp.port", raw.port(), d.port(), 1, 65535),
            raw.heloName() == null ? d.heloName() : p.value("smtp.helo_name", raw.heloName(), ConfigValidation::heloName, d.heloName()),
            p.duration("smtp.connect_timeout", raw.connectTimeout(), d.connectTimeout(), min, max),
            p.duration("smtp.read_timeout", raw.readTimeout(), d.readTimeout(), min, max),
            p.duration("smtp.deadline", raw.deadline(), d.deadline(), min, max),
            p.number("smtp.max_concurrent", raw.maxConcurrent(), d.maxConcurrent(), 1, 10_000),
            raw.ipv6() == null ? d.ipv6() : raw.ipv6(),
            deny(raw.deny(), d.deny()),
            tls(raw.tls(), d.tls())));
  }

  /** {@code smtp.tls}: the STARTTLS handshakes; {@code trust} is {@code system} or a PEM bundle. */
  private SmtpSettings.Tls tls(RawConfig.RawTls raw, SmtpSettings.Tls d) {
    if (raw == null) {
      return d;
    }
    java.nio.file.Path bundle = d.trustBundle();
    if (raw.trust() != null && !raw.trust().strip().equals("system")) {
      bundle = baseDir.resolve(raw.trust().strip());
      try {
        io.mxwatch.tls.TrustStores.fromFile(bundle);
      } catch (IllegalArgumentException e) {
        p.error("smtp.tls.trust", e.getMessage());
      }
    }
    return new SmtpSettings.Tls(
        raw.handshake() == null ? d.handshake() : raw.handshake(),
        raw.bothKeyTypes() == null ? d.bothKeyTypes() : raw.bothKeyTypes(),
        bundle,
        raw.mtaSts() == null ? d.mtaSts() : raw.mtaSts());
  }

  /** {@code smtp.deny}: CIDR ranges; absent keeps the special-purpose ranges, [] denies nothing. */
  private io.mxwatch.net.AddressRanges deny(List<String> raw, io.mxwatch.net.AddressRanges fallback) {
    if (raw == null) {
      return fallback;
    }
    List<String> ranges = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String cidr = raw.get(i);
      String path = "smtp.deny[" + i + "]";
      if (cidr == null) {
        p.error(path, "empty: write a range like 10.0.0.0/8");
        continue;
      }
      if (cidr.strip().equals("special-purpose")) {
        io.mxwatch.net.AddressRanges.SPECIAL_PURPOSE.ranges().forEach(r -> ranges.add(r.cidr()));
        continue;
      }
      if (p.value(path, cidr, c -> io.mxwatch.net.AddressRanges.range(c, ""), null) != null) {
        ranges.add(cidr.strip());
      }
    }
    return io.mxwatch.net.AddressRanges.of(ranges);
  }

  private MxwatchConfig.Check check(RawConfig.RawCheck raw) {
    MxwatchConfig.Check d = MxwatchConfig.Check.defaults();
    if (raw == null) {
      return d;
    }
    return new MxwatchConfig.Check(
        p.duration("check.deadline", raw.deadline(), d.deadline(), Duration.ofMillis(100), Duration.ofMinutes(10)),
        p.number("check.concurrency", raw.concurrency(), d.concurrency(), 1, 100_000),
        raw.authoritative() == null ? d.authoritative() : raw.authoritative(),
        p.duration("check.inconsistent_after", raw.inconsistentAfter(), d.inconsistentAfter(), Duration.ofMinutes(1), Duration.ofDays(7)),
        p.number("check.nameserver_port", raw.nameserverPort(), d.nameserverPort(), 1, 65535));
  }

  private MxwatchConfig.Store store(RawConfig.RawStore raw) {
    MxwatchConfig.Store d = MxwatchConfig.Store.defaults();
    RawConfig.RawStore r = raw == null ? new RawConfig.RawStore(null, null, null, null, null, null) : raw;
    String dataDir = env.getOrDefault(ENV_DATA_DIR, r.dataDir());
    String url = env.getOrDefault(ENV_STORE_URL, r.url());
    if (url != null && !url.startsWith("jdbc:")) {
      p.error(env.containsKey(ENV_STORE_URL) ? ENV_STORE_URL : "store.url", "'" + url + "' is not a JDBC URL (jdbc:h2:..., jdbc:postgresql://...)");
      url = null;
    }
    String password = env.getOrDefault(ENV_STORE_PASSWORD, r.password());
    return new MxwatchConfig.Store(
        dataDir == null ? d.dataDir() : Path.of(dataDir),
        url,
        env.getOrDefault(ENV_STORE_USER, r.user() == null ? d.user() : r.user()),
        password == null ? null : new MxwatchConfig.Secret(password),
        p.duration("store.retention", r.retention(), d.retention(), Duration.ofHours(1), Duration.ofDays(36_500)),
        p.duration("store.event_retention", r.eventRetention(), d.eventRetention(), Duration.ofDays(1), Duration.ofDays(36_500)));
  }

  private MxwatchConfig.Http http(RawConfig.RawHttp raw) {
    MxwatchConfig.Http d = MxwatchConfig.Http.defaults();
    String listen = env.getOrDefault(ENV_HTTP_LISTEN, raw == null ? null : raw.listen());
    InetSocketAddress address = null;
    if (listen != null) {
      String path = env.containsKey(ENV_HTTP_LISTEN) ? ENV_HTTP_LISTEN : "http.listen";
      address = p.value(path, listen, ConfigValidation::listenAddress, null);
    }
    MxwatchConfig.Secret token = null;
    if (env.containsKey(ENV_HTTP_TOKEN)) {
      token = new MxwatchConfig.Secret(env.get(ENV_HTTP_TOKEN));
    } else if (raw != null && raw.tokenFile() != null) {
      token = p.value("http.token_file", raw.tokenFile(), f -> SecretFile.read(baseDir.resolve(f)), null);
    }
    if (token != null && token.value().strip().length() < MIN_TOKEN_LENGTH) {
      p.error(env.containsKey(ENV_HTTP_TOKEN) ? ENV_HTTP_TOKEN : "http.token_file", "the token must have at least " + MIN_TOKEN_LENGTH + " characters");
      token = null;
    }
    return new MxwatchConfig.Http(address == null ? d.listen() : address, token == null ? null : new MxwatchConfig.Secret(token.value().strip()));
  }

  private MxwatchConfig.Metrics metrics(RawConfig.RawMetrics raw) {
    MxwatchConfig.Metrics d = MxwatchConfig.Metrics.defaults();
    if (raw == null) {
      return d;
    }
    MxwatchConfig.DomainSeries series = d.domainSeries();
    if (raw.domainSeries() != null) {
      try {
        series = MxwatchConfig.DomainSeries.valueOf(raw.domainSeries().strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        p.error("metrics.domain_series", "'" + raw.domainSeries() + "' is not a choice (problems, all or none)");
      }
    }
    return new MxwatchConfig.Metrics(
        series, p.number("metrics.max_detailed_domains", raw.maxDetailedDomains(), d.maxDetailedDomains(), 1, 10_000_000));
  }

  private static InetSocketAddress listenAddress(String text) {
    boolean hasPort = text.startsWith("[") ? text.contains("]:") : text.contains(":") && text.indexOf(':') == text.lastIndexOf(':');
    if (!hasPort) {
      throw new IllegalArgumentException("'" + text + "' is not a listen address: expected IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9725");
    }
    try {
      // port 0: any free port, which the daemon logs when it listens
      if (text.endsWith(":0")) {
        return new InetSocketAddress(ResolverAddresses.parse(text.substring(0, text.length() - 1) + "1").getAddress(), 0);
      }
      return ResolverAddresses.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a listen address: expected IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9725");
    }
  }

  private static String heloName(String name) {
    if (!name.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?") || name.contains("..")) {
      throw new IllegalArgumentException("'" + name + "' is not a host name to send with EHLO");
    }
    return name;
  }

}
