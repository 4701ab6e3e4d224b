package io.mxwatch.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The YAML as written: every key optional, values unchecked. {@link ConfigLoader} validates it
 * into {@link MxwatchConfig}. Keys are snake_case in the file.
 */
record RawConfig(
    RawDns dns,
    RawSmtp smtp,
    RawCheck check,
    RawDefaults defaults,
    List<RawDomain> domains,
    String domainsFile,
    RawStore store,
    RawHttp http,
    RawMetrics metrics,
    RawAlerts alerts) {

  record RawDns(List<String> resolvers, String timeout, Integer retries, Integer maxInFlight, Boolean caseRandomization, RawDnssec dnssec) {}

  record RawDnssec(Boolean validate, String trustAnchors) {}

  record RawSmtp(
      Boolean enabled,
      Integer port,
      String heloName,
      String connectTimeout,
      String readTimeout,
      String deadline,
      Integer maxConcurrent,
      Boolean ipv6,
      java.util.List<String> deny,
      RawTls tls) {}

  record RawTls(Boolean handshake, Boolean bothKeyTypes, String trust, Boolean mtaSts) {}

  record RawCheck(String deadline, Integer concurrency, Boolean authoritative, String inconsistentAfter, Integer nameserverPort) {}

  record RawDefaults(String interval, String cron, Integer confirmations, List<String> dkimSelectors) {}

  /** A domain: its name alone, or a section with the name and its overrides. */
  record RawDomain(String name, String interval, String cron, Integer confirmations, RawExpect expect, List<String> dkimSelectors) {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static RawDomain of(String name) {
      return new RawDomain(name, null, null, null, null, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    RawDomain {}
  }

  record RawExpect(List<String> mx, String dmarcPolicy, String spf) {}

  record RawStore(String dataDir, String url, String user, String password, String retention, String eventRetention) {}

  record RawHttp(String listen, String tokenFile) {}

  record RawMetrics(String domainSeries, Integer maxDetailedDomains) {}

  record RawAlerts(
      Boolean enabled,
      String from,
      List<String> to,
      String minSeverity,
      List<RawRoute> routes,
      List<RawSilence> silences,
      RawRelay relay,
      String groupWait,
      String groupInterval,
      String repeatInterval,
      Boolean sendResolved,
      String publicUrl) {}

  record RawRelay(
      String host,
      Integer port,
      String tls,
      Boolean verifyCertificates,
      String username,
      String passwordFile,
      String timeout,
      Boolean plaintextPassword) {}

  record RawRoute(String name, List<String> domains, List<String> to, String minSeverity, @JsonProperty("continue") Boolean continueMatching) {}

  record RawSilence(String domain, String start, String end, String reason) {}
}
