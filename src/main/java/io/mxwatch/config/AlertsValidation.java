package io.mxwatch.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    List<String> to = new ArrayList<>();
    if (raw.to() != null) {
      for (int i = 0; i < raw.to().size(); i++) {
        String address = p.value("alerts.to[" + i + "]", raw.to().get(i), AlertsValidation::mailAddress, null);
        if (address != null) {
          to.add(address);
        }
      }
    }
    String from = raw.from() == null ? null : p.value("alerts.from", raw.from(), AlertsValidation::mailAddress, null);
    MxwatchConfig.Relay relay = raw.relay() == null ? null : relay(raw.relay());
    if (enabled) {
      if (relay == null && raw.relay() == null) {
        p.error("alerts", "alerts are enabled but alerts.relay is missing");
      }
      if (raw.from() == null) {
        p.error("alerts", "alerts are enabled but alerts.from is missing");
      }
      if (raw.to() == null || raw.to().isEmpty()) {
        p.error("alerts", "alerts are enabled but alerts.to lists no recipient");
      }
    }
    URI publicUrl = raw.publicUrl() == null ? null : p.value("alerts.public_url", raw.publicUrl(), AlertsValidation::httpUrl, null);
    Duration max = Duration.ofDays(7);
    return new MxwatchConfig.Alerts(
        enabled,
        from,
        to,
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
    return new MxwatchConfig.Relay(
        raw.host() == null ? "" : raw.host().strip(),
        p.number("alerts.relay.port", raw.port(), defaultPort, 1, 65535),
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

}
