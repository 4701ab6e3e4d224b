package io.mxwatch.metrics;

/**
 * Every metric mxwatch exports, in Micrometer's dotted form; the Prometheus name is the dotted name
 * with '_' and the unit and type suffix ({@code mxwatch.domain.last.check.timestamp} with unit
 * seconds → {@code mxwatch_domain_last_check_timestamp_seconds}). The names are a public interface:
 * the README's metrics reference, the shipped rules and the dashboard use them.
 */
public final class MetricNames {
  private MetricNames() {}

  // over all domains
  public static final String DOMAINS = "mxwatch.domains";
  public static final String OPEN_CHANGES = "mxwatch.open.changes";
  public static final String DOMAINS_WITH_OPEN_CHANGES = "mxwatch.domains.with.open.changes";
  public static final String DOMAINS_DNS_FAILING = "mxwatch.domains.dns.lookup.failing";
  public static final String DOMAINS_ALL_EXCHANGES_DOWN = "mxwatch.domains.all.exchanges.down";
  public static final String DOMAINS_PRIMARY_EXCHANGES_DOWN = "mxwatch.domains.primary.exchanges.down";
  public static final String EXCHANGES = "mxwatch.exchanges";
  public static final String EXCHANGES_DOWN = "mxwatch.exchanges.down";
  public static final String DOMAINS_OVERDUE = "mxwatch.domains.overdue";
  public static final String DOMAINS_DMARC_POLICY = "mxwatch.domains.dmarc.policy";
  public static final String DOMAINS_MTA_STS_MODE = "mxwatch.domains.mta.sts.mode";
  public static final String EXCHANGES_CERT_EXPIRING = "mxwatch.exchanges.certificate.expiring";
  public static final String DOMAINS_DNSSEC = "mxwatch.domains.dnssec";
  public static final String EXCHANGES_DANE_MISMATCH = "mxwatch.exchanges.dane.mismatch";
  public static final String DOMAINS_NAMESERVERS_INCONSISTENT = "mxwatch.domains.nameservers.inconsistent";
  public static final String DOMAINS_DETAILED = "mxwatch.domains.detailed";
  public static final String DOMAINS_NOT_DETAILED = "mxwatch.domains.not.detailed";

  // per domain (label domain): in /metrics for the domains metrics.domain_series picks, in
  // /probe?target=DOMAIN for any
  public static final String DOMAIN_STATUS = "mxwatch.domain.status";
  public static final String DOMAIN_LAST_CHECK = "mxwatch.domain.last.check.timestamp";
  public static final String DOMAIN_CHECK_INTERVAL = "mxwatch.domain.check.interval";
  public static final String DOMAIN_CHECK_DURATION = "mxwatch.domain.check.duration";
  public static final String DOMAIN_MX_RECORDS = "mxwatch.domain.mx.records";
  public static final String DOMAIN_EXCHANGES = "mxwatch.domain.exchanges";
  public static final String DOMAIN_EXCHANGES_REACHABLE = "mxwatch.domain.exchanges.reachable";
  public static final String DOMAIN_PRIMARY_EXCHANGES_REACHABLE = "mxwatch.domain.primary.exchanges.reachable";
  public static final String DOMAIN_DRIFT_OPEN = "mxwatch.domain.drift.open";
  public static final String DOMAIN_FINDINGS = "mxwatch.domain.findings";
  public static final String DOMAIN_LAST_CHANGE = "mxwatch.domain.last.change.timestamp";
  public static final String DOMAIN_DNS_FAILING = "mxwatch.domain.dns.lookup.failing";
  public static final String DOMAIN_SPF_LOOKUPS = "mxwatch.domain.spf.dns.lookups";
  public static final String DOMAIN_DMARC_POLICY = "mxwatch.domain.dmarc.policy";
  public static final String DOMAIN_MTA_STS_MODE = "mxwatch.domain.mta.sts.mode";
  public static final String DOMAIN_MTA_STS_UNCOVERED = "mxwatch.domain.mta.sts.uncovered.exchanges";
  public static final String DOMAIN_DNSSEC_STATUS = "mxwatch.domain.dnssec.status";
  public static final String DOMAIN_DKIM_KEY_BITS = "mxwatch.domain.dkim.key.bits";
  public static final String DOMAIN_NAMESERVERS = "mxwatch.domain.nameservers";
  public static final String DOMAIN_NAMESERVERS_ANSWERING = "mxwatch.domain.nameservers.answering";
  public static final String DOMAIN_NAMESERVERS_CONSISTENT = "mxwatch.domain.nameservers.consistent";
  public static final String DOMAIN_SOA_SERIAL_SPREAD = "mxwatch.domain.soa.serial.spread";

  // per exchange (labels domain, exchange)
  public static final String EXCHANGE_UP = "mxwatch.exchange.up";
  public static final String EXCHANGE_GREETING_LATENCY = "mxwatch.exchange.greeting.latency";
  public static final String EXCHANGE_PREFERENCE = "mxwatch.exchange.preference";
  public static final String EXCHANGE_CERT_NOT_AFTER = "mxwatch.exchange.certificate.not.after.timestamp";
  public static final String EXCHANGE_DANE_MATCH = "mxwatch.exchange.dane.match";
  public static final String EXCHANGE_TLS_VERSION = "mxwatch.exchange.tls.version";

  // process-wide
  public static final String BUILD_INFO = "mxwatch.build.info";
  public static final String DOMAINS_WATCHED = "mxwatch.domains.watched";
  public static final String CHECKS = "mxwatch.checks";
  public static final String SNAPSHOTS_REPLACED = "mxwatch.snapshots.replaced";
  public static final String CHECK_DURATION = "mxwatch.check.duration";
  public static final String DNS_QUERIES = "mxwatch.dns.queries";
  public static final String SMTP_PROBES = "mxwatch.smtp.probes";
  public static final String SCHEDULER_LAG = "mxwatch.scheduler.lag";
  public static final String SCHEDULER_SKIPPED = "mxwatch.scheduler.skipped.checks";
  public static final String ALERTS_QUEUED = "mxwatch.alerts.queued";
  public static final String ALERTS_SENT = "mxwatch.alerts.sent";
  public static final String ALERTS_FAILED = "mxwatch.alerts.failed";
  public static final String ALERTS_EXPIRED = "mxwatch.alerts.expired";
  public static final String ALERT_RETRIES = "mxwatch.alert.retries";
  public static final String ALERT_RECIPIENTS_REJECTED = "mxwatch.alert.recipients.rejected";
  public static final String OUTBOX_EMAILS = "mxwatch.outbox.emails";
  public static final String OUTBOX_OLDEST = "mxwatch.outbox.oldest.email.timestamp";
  public static final String CONFIG_RELOAD_SUCCESS = "mxwatch.config.last.reload.successful";
  public static final String CONFIG_RELOAD_TIME = "mxwatch.config.last.reload.success.timestamp";
}
