package io.mxwatch.config;

import io.mxwatch.config.MxwatchConfig.Schedule;
import io.mxwatch.drift.Expectations;
import io.mxwatch.smtp.SmtpSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.quartz.CronExpression;

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
  static final String ENV_DOMAINS_FILE = "MXWATCH_DOMAINS_FILE";
  static final String ENV_RELAY_PASSWORD = "MXWATCH_RELAY_PASSWORD";

  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_INTERVAL = Duration.ofDays(7);

  private final String source;
  private final Path baseDir;
  private final Map<String, Integer> lines;
  private final Map<String, String> env;
  private final List<String> errors = new ArrayList<>();

  ConfigValidation(String source, Path baseDir, Map<String, Integer> lines, Map<String, String> env) {
    this.source = source;
    this.baseDir = baseDir;
    this.lines = lines;
    this.env = env;
  }

  MxwatchConfig config(RawConfig raw) throws ConfigException {
    MxwatchConfig config =
        new MxwatchConfig(
            dns(raw.dns()),
            smtp(raw.smtp()),
            check(raw.check()),
            watch(raw.defaults(), raw.domains(), raw.domainsFile()),
            store(raw.store()),
            http(raw.http()),
            alerts(raw.alerts()));
    if (!errors.isEmpty()) {
      throw new ConfigException(String.join("\n", errors));
    }
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
        InetSocketAddress a = value("dns.resolvers[" + i + "]", raw.resolvers().get(i), ResolverAddresses::parse, null);
        if (a != null) {
          resolvers.add(a);
        }
      }
    }
    return new MxwatchConfig.Dns(
        resolvers,
        duration("dns.timeout", raw.timeout(), d.timeout(), Duration.ofMillis(10), Duration.ofSeconds(60)),
        number("dns.retries", raw.retries(), d.retries(), 0, 10),
        number("dns.max_in_flight", raw.maxInFlight(), d.maxInFlight(), 1, 100_000));
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
            number("smtp.port", raw.port(), d.port(), 1, 65535),
            raw.heloName() == null ? d.heloName() : value("smtp.helo_name", raw.heloName(), ConfigValidation::heloName, d.heloName()),
            duration("smtp.connect_timeout", raw.connectTimeout(), d.connectTimeout(), min, max),
            duration("smtp.read_timeout", raw.readTimeout(), d.readTimeout(), min, max),
            duration("smtp.deadline", raw.deadline(), d.deadline(), min, max),
            number("smtp.max_concurrent", raw.maxConcurrent(), d.maxConcurrent(), 1, 10_000),
            raw.ipv6() == null ? d.ipv6() : raw.ipv6()));
  }

  private MxwatchConfig.Check check(RawConfig.RawCheck raw) {
    MxwatchConfig.Check d = MxwatchConfig.Check.defaults();
    if (raw == null) {
      return d;
    }
    return new MxwatchConfig.Check(
        duration("check.deadline", raw.deadline(), d.deadline(), Duration.ofMillis(100), Duration.ofMinutes(10)),
        number("check.concurrency", raw.concurrency(), d.concurrency(), 1, 100_000));
  }

  private MxwatchConfig.Watch watch(RawConfig.RawDefaults rawDefaults, List<RawConfig.RawDomain> inline, String domainsFile) {
    MxwatchConfig.Watch d = MxwatchConfig.Watch.defaults();
    Schedule schedule = d.schedule();
    int confirmations = d.confirmations();
    if (rawDefaults != null) {
      schedule = schedule("defaults", rawDefaults.interval(), rawDefaults.cron(), schedule);
      confirmations = number("defaults.confirmations", rawDefaults.confirmations(), confirmations, 1, 100);
    }
    Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
    if (inline != null) {
      for (int i = 0; i < inline.size(); i++) {
        MxwatchConfig.Domain domain = domain("domains[" + i + "]", inline.get(i), schedule, confirmations);
        if (domain != null && domains.putIfAbsent(domain.name(), domain) != null) {
          error(namePath("domains[" + i + "]", inline.get(i)), "'" + domain.name() + "' is listed twice");
        }
      }
    }
    String file = env.getOrDefault(ENV_DOMAINS_FILE, domainsFile);
    if (file != null) {
      Path path = baseDir.resolve(file);
      for (String name : DomainsFile.read(path, file, errors)) {
        domains.putIfAbsent(name, new MxwatchConfig.Domain(name, schedule, confirmations, Expectations.NONE));
      }
    }
    return new MxwatchConfig.Watch(schedule, confirmations, List.copyOf(domains.values()));
  }

  private MxwatchConfig.Domain domain(String path, RawConfig.RawDomain raw, Schedule defaultSchedule, int defaultConfirmations) {
    String namePath = namePath(path, raw);
    if (raw.name() == null) {
      error(path, "a domain needs a name");
      return null;
    }
    String name = value(namePath, raw.name(), DomainNames::normalize, null);
    Schedule schedule = schedule(path, raw.interval(), raw.cron(), defaultSchedule);
    int confirmations = number(path + ".confirmations", raw.confirmations(), defaultConfirmations, 1, 100);
    Expectations expect = raw.expect() == null ? Expectations.NONE : expectations(path + ".expect", raw.expect());
    return name == null ? null : new MxwatchConfig.Domain(name, schedule, confirmations, expect);
  }

  /** Where a domain's name is: the entry itself, or its {@code name} key. */
  private String namePath(String path, RawConfig.RawDomain raw) {
    return lines.containsKey(path + ".name") ? path + ".name" : path;
  }

  private Schedule schedule(String path, String interval, String cron, Schedule fallback) {
    if (interval != null && cron != null) {
      error(path + ".cron", "give either interval or cron, not both");
      return fallback;
    }
    if (interval != null) {
      Duration every = duration(path + ".interval", interval, null, MIN_INTERVAL, MAX_INTERVAL);
      return every == null ? fallback : new Schedule.Every(every);
    }
    if (cron != null) {
      try {
        CronExpression.validateExpression(cron);
        return new Schedule.Cron(cron.strip());
      } catch (ParseException e) {
        error(path + ".cron", "'" + cron + "' is not a cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 */5 * * * ?'): " + e.getMessage());
      }
    }
    return fallback;
  }

  private Expectations expectations(String path, RawConfig.RawExpect raw) {
    List<String> mx = null;
    if (raw.mx() != null) {
      mx = new ArrayList<>();
      for (int i = 0; i < raw.mx().size(); i++) {
        String entry = value(path + ".mx[" + i + "]", raw.mx().get(i), ConfigValidation::mxEntry, null);
        if (entry != null) {
          mx.add(entry);
        }
      }
    }
    String policy = null;
    if (raw.dmarcPolicy() != null) {
      policy = raw.dmarcPolicy().strip().toLowerCase(Locale.ROOT);
      if (!List.of("none", "quarantine", "reject").contains(policy)) {
        error(path + ".dmarc_policy", "'" + raw.dmarcPolicy() + "' is not a DMARC policy (none, quarantine or reject)");
        policy = null;
      }
    }
    String spf = null;
    if (raw.spf() != null) {
      spf = raw.spf().strip();
      if (!spf.toLowerCase(Locale.ROOT).startsWith("v=spf1") || (spf.length() > 6 && spf.charAt(6) != ' ')) {
        error(path + ".spf", "'" + raw.spf() + "' is not an SPF record: it must start with 'v=spf1'");
        spf = null;
      }
    }
    return new Expectations(mx, policy, spf);
  }

  /** {@code "10 mx1.example.com"} normalised; {@code "0 ."} for a null MX. */
  private static String mxEntry(String text) {
    String[] parts = text.strip().split("\\s+");
    if (parts.length != 2 || !parts[0].matches("\\d{1,5}") || Integer.parseInt(parts[0]) > 65535) {
      throw new IllegalArgumentException("'" + text + "' is not an MX entry: expected 'PREFERENCE EXCHANGE', e.g. '10 mx1.example.com'");
    }
    String exchange = parts[1].equals(".") ? "." : DomainNames.normalize(parts[1]);
    return Integer.parseInt(parts[0]) + " " + exchange;
  }

  private MxwatchConfig.Store store(RawConfig.RawStore raw) {
    MxwatchConfig.Store d = MxwatchConfig.Store.defaults();
    RawConfig.RawStore r = raw == null ? new RawConfig.RawStore(null, null, null, null, null) : raw;
    String dataDir = env.getOrDefault(ENV_DATA_DIR, r.dataDir());
    String url = env.getOrDefault(ENV_STORE_URL, r.url());
    if (url != null && !url.startsWith("jdbc:")) {
      error(env.containsKey(ENV_STORE_URL) ? ENV_STORE_URL : "store.url", "'" + url + "' is not a JDBC URL (jdbc:h2:..., jdbc:postgresql://...)");
      url = null;
    }
    String password = env.getOrDefault(ENV_STORE_PASSWORD, r.password());
    return new MxwatchConfig.Store(
        dataDir == null ? d.dataDir() : Path.of(dataDir),
        url,
        env.getOrDefault(ENV_STORE_USER, r.user() == null ? d.user() : r.user()),
        password == null ? null : new MxwatchConfig.Secret(password),
        duration("store.retention", r.retention(), d.retention(), Duration.ofHours(1), Duration.ofDays(36_500)));
  }

  private MxwatchConfig.Http http(RawConfig.RawHttp raw) {
    MxwatchConfig.Http d = MxwatchConfig.Http.defaults();
    String listen = env.getOrDefault(ENV_HTTP_LISTEN, raw == null ? null : raw.listen());
    if (listen == null) {
      return d;
    }
    String path = env.containsKey(ENV_HTTP_LISTEN) ? ENV_HTTP_LISTEN : "http.listen";
    InetSocketAddress address = value(path, listen, ConfigValidation::listenAddress, null);
    return address == null ? d : new MxwatchConfig.Http(address);
  }

  private static InetSocketAddress listenAddress(String text) {
    boolean hasPort = text.startsWith("[") ? text.contains("]:") : text.contains(":") && text.indexOf(':') == text.lastIndexOf(':');
    if (!hasPort) {
      throw new IllegalArgumentException("'" + text + "' is not a listen address: expected IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9725");
    }
    try {
      return ResolverAddresses.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a listen address: expected IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9725");
    }
  }

  private MxwatchConfig.Alerts alerts(RawConfig.RawAlerts raw) {
    MxwatchConfig.Alerts d = MxwatchConfig.Alerts.defaults();
    if (raw == null) {
      return d;
    }
    boolean enabled = raw.enabled() == null ? raw.relay() != null : raw.enabled();
    List<String> to = new ArrayList<>();
    if (raw.to() != null) {
      for (int i = 0; i < raw.to().size(); i++) {
        String address = value("alerts.to[" + i + "]", raw.to().get(i), ConfigValidation::mailAddress, null);
        if (address != null) {
          to.add(address);
        }
      }
    }
    String from = raw.from() == null ? null : value("alerts.from", raw.from(), ConfigValidation::mailAddress, null);
    MxwatchConfig.Relay relay = raw.relay() == null ? null : relay(raw.relay());
    if (enabled) {
      if (relay == null && raw.relay() == null) {
        error("alerts", "alerts are enabled but alerts.relay is missing");
      }
      if (raw.from() == null) {
        error("alerts", "alerts are enabled but alerts.from is missing");
      }
      if (raw.to() == null || raw.to().isEmpty()) {
        error("alerts", "alerts are enabled but alerts.to lists no recipient");
      }
    }
    URI publicUrl = raw.publicUrl() == null ? null : value("alerts.public_url", raw.publicUrl(), ConfigValidation::httpUrl, null);
    Duration max = Duration.ofDays(7);
    return new MxwatchConfig.Alerts(
        enabled,
        from,
        to,
        relay,
        duration("alerts.group_wait", raw.groupWait(), d.groupWait(), Duration.ZERO, max),
        duration("alerts.group_interval", raw.groupInterval(), d.groupInterval(), Duration.ZERO, max),
        duration("alerts.repeat_interval", raw.repeatInterval(), d.repeatInterval(), Duration.ofMinutes(1), Duration.ofDays(30)),
        raw.sendResolved() == null ? d.sendResolved() : raw.sendResolved(),
        publicUrl);
  }

  private MxwatchConfig.Relay relay(RawConfig.RawRelay raw) {
    if (raw.host() == null) {
      error("alerts.relay", "the relay needs a host");
    }
    MxwatchConfig.Tls tls = MxwatchConfig.Tls.STARTTLS;
    if (raw.tls() != null) {
      try {
        tls = MxwatchConfig.Tls.valueOf(raw.tls().strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        error("alerts.relay.tls", "'" + raw.tls() + "' is not a TLS mode (starttls, tls or none)");
      }
    }
    int defaultPort = tls == MxwatchConfig.Tls.TLS ? 465 : 587;
    MxwatchConfig.Secret password = null;
    if (env.containsKey(ENV_RELAY_PASSWORD)) {
      password = new MxwatchConfig.Secret(env.get(ENV_RELAY_PASSWORD));
    } else if (raw.passwordFile() != null) {
      password = value("alerts.relay.password_file", raw.passwordFile(), f -> SecretFile.read(baseDir.resolve(f)), null);
    }
    return new MxwatchConfig.Relay(
        raw.host() == null ? "" : raw.host().strip(),
        number("alerts.relay.port", raw.port(), defaultPort, 1, 65535),
        tls,
        raw.verifyCertificates() == null || raw.verifyCertificates(),
        raw.username(),
        password);
  }

  private static String mailAddress(String text) {
    String address = text.strip();
    if (!address.matches("[^\\s@<>()\",;:\\\\]+@[A-Za-z0-9.-]+") || address.length() > 254) {
      throw new IllegalArgumentException("'" + text + "' is not a mail address (local@domain)");
    }
    return address;
  }

  private static URI httpUrl(String text) {
    try {
      URI uri = new URI(text.strip());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException("'" + text + "' is not an http(s) URL");
  }

  private static String heloName(String name) {
    if (!name.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?") || name.contains("..")) {
      throw new IllegalArgumentException("'" + name + "' is not a host name to send with EHLO");
    }
    return name;
  }

  private Duration duration(String path, String text, Duration fallback, Duration min, Duration max) {
    if (text == null) {
      return fallback;
    }
    Duration d = value(path, text, Durations::parse, null);
    if (d == null) {
      return fallback;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      error(path, "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got " + text);
      return fallback;
    }
    return d;
  }

  private int number(String path, Integer value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      error(path, "must be between " + min + " and " + max + ", got " + value);
      return fallback;
    }
    return value;
  }

  private <T> T value(String path, String text, Function<String, T> parse, T fallback) {
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      error(path, e.getMessage());
      return fallback;
    }
  }

  private void error(String path, String message) {
    if (path.startsWith("MXWATCH_")) {
      errors.add("environment variable " + path + ": " + message);
      return;
    }
    Integer line = lines.get(path);
    errors.add(source + (line == null ? "" : ":" + line) + ": " + path + ": " + message);
  }
}
