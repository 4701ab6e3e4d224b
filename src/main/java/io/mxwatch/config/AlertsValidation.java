package io.mxwatch.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import io.mxwatch.audit.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;

/** Validates the alert email settings: recipients, relay, timing. */
final class AlertsValidation {
  private final Problems p;
  private final Path baseDir;
  private final Map<String, String> env;

  AlertsValidation(Problems p, Path baseDir, Map<String, String> env) {
    this.p = p;
    this.baseDir = baseDir;
    this.env = env;
  }

  MxwatchConfig.Alerts alerts(RawConfig.RawAlerts raw) {
    MxwatchConfig.Alerts d = MxwatchConfig.Alerts.defaults();
    if (raw == null) {
      return d;
    }
    boolean enabled = raw.enabled() == null ? raw.relay() != null : raw.enabled();
    List<String> to = addresses("alerts.to", raw.to());
    Severity minSeverity = severity("alerts.min_severity", raw.minSeverity(), d.minSeverity());
    List<MxwatchConfig.Route> routes = routes(raw.routes());
    List<MxwatchConfig.Silence> silences = silences(raw.silences());
    String from = raw.from() == null ? null : p.value("alerts.from", raw.from(), AlertsValidation::mailAddress, null);
    MxwatchConfig.Relay relay = raw.relay() == null ? null : relay(raw.relay());
    if (enabled) {
      if (relay == null && raw.relay() == null) {
        p.error("alerts", "alerts are enabled but alerts.relay is missing");
      }
      if (raw.from() == null) {
        p.error("alerts", "alerts are enabled but alerts.from is missing");
      }
      if ((raw.to() == null || raw.to().isEmpty()) && routes.isEmpty()) {
        p.error("alerts", "alerts are enabled but alerts.to lists no recipient");
      }
    }
    URI publicUrl = raw.publicUrl() == null ? null : p.value("alerts.public_url", raw.publicUrl(), AlertsValidation::httpUrl, null);
    Duration max = Duration.ofDays(7);
    return new MxwatchConfig.Alerts(
        enabled,
        from,
        to,
        minSeverity,
        routes,
        silences,
        relay,
        p.duration("alerts.group_wait", raw.groupWait(), d.groupWait(), Duration.ZERO, max),
        p.duration("alerts.group_interval", raw.groupInterval(), d.groupInterval(), Duration.ZERO, max),
        p.duration("alerts.repeat_interval", raw.repeatInterval(), d.repeatInterval(), Duration.ofMinutes(1), Duration.ofDays(30)),
        raw.sendResolved() == null ? d.sendResolved() : raw.sendResolved(),
        publicUrl);
  }

  private MxwatchConfig.Relay relay(RawConfig.RawRelay raw) {
    if (raw.host() == null) {
      p.error("alerts.relay", "the relay needs a host");
    }
    MxwatchConfig.Tls tls = MxwatchConfig.Tls.STARTTLS;
    if (raw.tls() != null) {
      try {
        tls = MxwatchConfig.Tls.valueOf(raw.tls().strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        p.error("alerts.relay.tls", "'" + raw.tls() + "' is not a TLS mode (starttls, tls or none)");
      }
    }
    int defaultPort = tls == MxwatchConfig.Tls.TLS ? 465 : 587;
    MxwatchConfig.Secret password = null;
    if (env.containsKey(ConfigValidation.ENV_RELAY_PASSWORD)) {
      password = new MxwatchConfig.Secret(env.get(ConfigValidation.ENV_RELAY_PASSWORD));
    } else if (raw.passwordFile() != null) {
      password = p.value("alerts.relay.password_file", raw.passwordFile(), f -> SecretFile.read(baseDir.resolve(f)), null);
    }
    if (tls == MxwatchConfig.Tls.NONE && password != null && !Boolean.TRUE.equals(raw.plaintextPassword())) {
      p.error(
          "alerts.relay.tls",
          "none would send the relay password in clear text: use starttls or tls, or, for a relay on this host or a network you trust,"
              + " set plaintext_password: true");
    }
    return new MxwatchConfig.Relay(
        raw.host() == null ? "" : raw.host().strip(),
        p.number("alerts.relay.port", raw.port(), defaultPort, 1, 65535),
        tls,
        raw.verifyCertificates() == null || raw.verifyCertificates(),
        raw.username(),
        password,
        p.duration("alerts.relay.timeout", raw.timeout(), Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10)));
  }

  private List<String> addresses(String path, List<String> raw) {
    List<String> out = new ArrayList<>();
    if (raw != null) {
      for (int i = 0; i < raw.size(); i++) {
        String address = raw.get(i) == null ? null : p.value(path + "[" + i + "]", raw.get(i), AlertsValidation::mailAddress, null);
        if (address != null) {
          out.add(address);
        }
      }
    }
    return out;
  }

  private Severity severity(String path, String text, Severity fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Severity.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      p.error(path, "'" + text + "' is not a severity (info, warning or critical)");
      return fallback;
    }
  }

  private List<MxwatchConfig.Route> routes(List<RawConfig.RawRoute> raw) {
    List<MxwatchConfig.Route> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String path = "alerts.routes[" + i + "]";
      RawConfig.RawRoute r = raw.get(i);
      if (r == null) {
        p.error(path, "a route needs name, domains and to");
        continue;
      }
      String name = r.name() == null ? null : r.name().strip();
      if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
        p.error(path + (r.name() == null ? "" : ".name"), name == null ? "a route needs a name" : "'" + r.name() + "' is not a route name (a-z, 0-9, '-', at most 40)");
      } else if (name.equals(MxwatchConfig.Route.DEFAULT) || !names.add(name)) {
        p.error(path + ".name", "route name '" + name + "' is " + (name.equals(MxwatchConfig.Route.DEFAULT) ? "reserved for alerts.to" : "used twice"));
      }
      List<DomainPattern> domains = new ArrayList<>();
      if (r.domains() == null || r.domains().isEmpty()) {
        p.error(path, "route '" + name + "' lists no domains (use \"*\" for all)");
      } else {
        for (int j = 0; j < r.domains().size(); j++) {
          DomainPattern pattern = r.domains().get(j) == null ? null : p.value(path + ".domains[" + j + "]", r.domains().get(j), DomainPattern::parse, null);
          if (pattern != null) {
            domains.add(pattern);
          }
        }
      }
      List<String> to = addresses(path + ".to", r.to());
      if (r.to() == null || r.to().isEmpty()) {
        p.error(path, "route '" + name + "' lists no recipient in to");
      }
      Severity min = severity(path + ".min_severity", r.minSeverity(), Severity.WARNING);
      out.add(new MxwatchConfig.Route(name, domains, to, min, Boolean.TRUE.equals(r.continueMatching())));
    }
    return out;
  }

  private List<MxwatchConfig.Silence> silences(List<RawConfig.RawSilence> raw) {
    List<MxwatchConfig.Silence> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    for (int i = 0; i < raw.size(); i++) {
      String path = "alerts.silences[" + i + "]";
      RawConfig.RawSilence s = raw.get(i);
      if (s == null || s.domain() == null || s.start() == null || s.end() == null || s.reason() == null || s.reason().isBlank()) {
        p.error(path, "a silence needs domain, start, end and reason");
        continue;
      }
      DomainPattern domain = p.value(path + ".domain", s.domain(), DomainPattern::parse, null);
      Instant start = p.value(path + ".start", s.start(), AlertsValidation::instant, null);
      Instant end = p.value(path + ".end", s.end(), AlertsValidation::instant, null);
      if (start != null && end != null && !end.isAfter(start)) {
        p.error(path + ".end", "the silence ends (" + s.end() + ") before it starts (" + s.start() + ")");
      }
      if (domain != null && start != null && end != null) {
        out.add(new MxwatchConfig.Silence(domain, start, end, s.reason().strip()));
      }
    }
    return out;
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text.strip().replace(' ', 'T')).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time with an offset (2026-11-24T22:00:00Z or 2026-11-24T23:00+01:00)");
    }
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

}
