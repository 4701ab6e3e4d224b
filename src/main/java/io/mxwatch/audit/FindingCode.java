package io.mxwatch.audit;

/**
 * Every finding the audit can report, with its usual severity and what it means. The names are a
 * public interface (reports, JSON, metrics labels, alert rules): they never change meaning.
 */
public enum FindingCode {
  MX_NONE(Severity.CRITICAL, "No MX records. Critical when the domain has no address either (mail cannot be delivered) or does not exist; a warning when mail falls back to the domain's own address (implicit MX, RFC 5321 §5.1)."),
  MX_NULL(Severity.INFO, "The domain publishes a null MX (RFC 7505): it declares that it accepts no mail."),
  MX_NULL_WITH_OTHERS(Severity.WARNING, "A null MX (\"0 .\") stands beside other MX records; RFC 7505 forbids the mix and senders may treat the domain as taking no mail."),
  MX_TARGET_IP_LITERAL(Severity.WARNING, "An MX record names an IP address instead of a host name; senders look it up as a name and fail."),
  MX_TARGET_CNAME(Severity.WARNING, "An exchange name is an alias (CNAME); RFC 2181 §10.3 and RFC 5321 §5.1 require MX targets to be canonical names."),
  MX_TARGET_NO_ADDRESS(Severity.WARNING, "An exchange has neither an A nor an AAAA record. Critical when no exchange has an address."),
  MX_TARGET_DOUBLED_ORIGIN(Severity.WARNING, "An exchange name repeats its zone, e.g. mail.example.com.example.com: the trailing dot is missing in the zone file."),
  MX_SINGLE_HOST(Severity.INFO, "Only one exchange: no backup if it is down."),
  MX_DUPLICATE_TARGET(Severity.INFO, "The same exchange appears in more than one MX record."),

  SMTP_UNREACHABLE(Severity.WARNING, "An exchange address refused the connection, did not answer in time, reset the connection, or could not be reached."),
  SMTP_ALL_UNREACHABLE(Severity.CRITICAL, "No exchange address gave a 220 greeting: mail for the domain cannot be delivered."),
  SMTP_PRIMARY_UNREACHABLE(Severity.WARNING, "None of the lowest-preference (primary) exchanges gave a 220 greeting; mail depends on the backups."),
  SMTP_ADDRESS_NOT_PUBLIC(
      Severity.WARNING,
      "An exchange address is in a range that senders on the internet cannot reach (loopback, private, link-local, ...: smtp.deny); it is not probed."),
  SMTP_REJECTING(Severity.WARNING, "An exchange address greets with a 4xx or 5xx code (554: no SMTP service here)."),
  SMTP_BAD_GREETING(Severity.WARNING, "An exchange address sent something that is not an SMTP greeting, or too much of it."),
  SMTP_NO_STARTTLS(Severity.WARNING, "An exchange address does not offer STARTTLS: mail to it travels in clear text."),

  TLS_HANDSHAKE_FAILED(Severity.WARNING, "An exchange offers STARTTLS but refuses the command or the TLS handshake fails: senders that require TLS cannot deliver, the others fall back to clear text."),
  TLS_OLD_PROTOCOL(Severity.WARNING, "An exchange speaks only TLS 1.0 or 1.1, which RFC 8996 retires: senders with current TLS settings cannot agree on a protocol with it."),
  TLS_CERT_EXPIRED(Severity.CRITICAL, "A certificate an exchange serves has expired (or is not valid yet): senders that check certificates (MTA-STS enforce, DANE-TA) refuse to deliver."),
  TLS_CERT_EXPIRING(Severity.WARNING, "A certificate an exchange serves expires within 14 days; critical within 3 days."),
  TLS_CERT_NAME_MISMATCH(Severity.WARNING, "A certificate an exchange serves is not for the exchange's name (its subject alternative names, RFC 6125): senders that check names (MTA-STS) refuse it."),
  TLS_CERT_UNTRUSTED(Severity.INFO, "A certificate chain an exchange serves does not lead to a trusted root (self-signed, a private CA, a missing intermediate): opportunistic senders deliver anyway, senders that check refuse it."),
  MTA_STS_TXT_INVALID(Severity.WARNING, "The _mta-sts TXT record is not one valid v=STSv1 record with an id (several records, syntax, a missing or bad id): senders take the domain as having no MTA-STS policy."),
  MTA_STS_POLICY_UNAVAILABLE(Severity.WARNING, "The _mta-sts record announces a policy that cannot be fetched as senders must fetch it (a certificate not valid for mta-sts.<domain>, a status other than 200, a redirect, more than 64 KiB, not text/plain, no address): senders without a cached copy apply no policy."),
  MTA_STS_POLICY_INVALID(Severity.WARNING, "The MTA-STS policy does not parse (RFC 8461 §3.2: version, mode, max_age, mx): senders discard it."),
  MTA_STS_POLICY_WARNING(Severity.INFO, "The MTA-STS policy parses but has something senders tolerate: LF-only line ends, unknown keys (a misspelt mx?), a max_age under a day."),
  MTA_STS_MX_NOT_COVERED(Severity.CRITICAL, "An exchange matches no mx pattern of the MTA-STS policy: in enforce mode compliant senders refuse to deliver to it (critical); in testing mode they only report it (warning)."),
  MTA_STS_MX_TLS_INVALID(Severity.CRITICAL, "Under an MTA-STS policy an exchange does not complete STARTTLS with a certificate that chains to a trusted root and names it: in enforce mode compliant senders refuse it (critical); in testing mode they only report it (warning)."),
  TLSRPT_INVALID(Severity.WARNING, "The _smtp._tls TXT record is not one valid v=TLSRPTv1 record whose rua destinations are mailto: or https: (RFC 8460): senders send no TLS reports."),
  TLSRPT_MISSING(Severity.WARNING, "The domain has MTA-STS (or DANE) but no TLS-RPT record: nobody hears when senders fail to deliver to it over TLS."),
  DNSSEC_BOGUS(Severity.CRITICAL, "An answer mail delivery depends on (the MX set, an exchange's addresses, its TLSA records) fails DNSSEC validation (a signature expired or does not verify, a DS without a matching key): validating resolvers answer SERVFAIL and senders behind them cannot deliver."),
  DNSSEC_SIGNATURE_EXPIRING(Severity.WARNING, "The signatures on a secure answer mail delivery depends on expire within 3 days: unless the zone is re-signed by then, it turns bogus for every validating resolver."),
  DANE_TLSA_INSECURE(Severity.WARNING, "An exchange publishes TLSA records that do not validate as secure (an unsigned zone, or no DS for it): senders ignore them, so DANE protects nothing."),
  DANE_TLSA_LOOKUP_FAILED(Severity.CRITICAL, "The TLSA lookup of an exchange whose addresses are signed fails (SERVFAIL, timeout): DANE senders defer mail to it until the lookup answers (RFC 7672 §2.2), the most common DANE outage."),
  DANE_NO_MATCH(Severity.CRITICAL, "No TLSA record of an exchange matches the chain it serves at an address (DANE-EE: the leaf's key or certificate; DANE-TA: a CA of the chain, and then a valid certificate for the exchange): DANE senders refuse to deliver to it."),
  DANE_NO_STARTTLS(Severity.CRITICAL, "An exchange publishes secure TLSA records but does not offer STARTTLS, or the handshake fails: DANE senders do not deliver to it in clear text."),
  DANE_SINGLE_TLSA(Severity.INFO, "An exchange has only one TLSA record: a new key or certificate breaks DANE until a record for it is published (publish the next key's record beside the current one before a rollover)."),

  SPF_NONE(Severity.WARNING, "No SPF record: receivers cannot tell which hosts may send for the domain."),
  SPF_MULTIPLE(Severity.CRITICAL, "More than one SPF record (at the domain or an include target): a permerror for every receiver."),
  SPF_SYNTAX(Severity.CRITICAL, "The SPF record (or one it includes) does not parse: a permerror for every receiver."),
  SPF_TOO_MANY_LOOKUPS(Severity.CRITICAL, "The SPF record needs more than 10 DNS-querying terms over its include tree, or an mx term meets more than 10 MX records (RFC 7208 §4.6.4): receivers return permerror."),
  SPF_VOID_LOOKUPS(Severity.CRITICAL, "More than 2 of the SPF record's lookups find nothing (RFC 7208 §4.6.4): receivers return permerror."),
  SPF_ALL_PERMISSIVE(Severity.WARNING, "The SPF policy ends in +all or ?all (or includes a record with +all): any host may send as the domain."),
  SPF_NO_ALL(Severity.WARNING, "The SPF policy has no all term and no redirect: mail from unlisted hosts gets neutral, as with ?all."),
  SPF_PTR(Severity.WARNING, "The SPF policy uses the ptr mechanism, which RFC 7208 §5.5 says not to use: slow, unreliable, and a load on the DNS."),
  SPF_INCLUDE_LOOP(Severity.CRITICAL, "An include or redirect leads back to a domain already on its path: receivers loop to the lookup limit and return permerror."),
  SPF_INCLUDE_MISSING(Severity.CRITICAL, "An include or redirect target has no SPF record: a permerror for every receiver (RFC 7208 §5.2, §6.1)."),

  DMARC_NONE(Severity.WARNING, "No DMARC record at _dmarc.<domain>: receivers apply no policy to mail that fails authentication."),
  DMARC_MULTIPLE(Severity.WARNING, "More than one DMARC record: receivers apply none of them."),
  DMARC_SYNTAX(Severity.WARNING, "The DMARC record does not parse (RFC 9989): receivers ignore it."),
  DMARC_WARNING(Severity.INFO, "The DMARC record parses but has something to note: unknown tags, tags removed by RFC 9989 (pct, rf, ri), values receivers replace with defaults."),
  DMARC_POLICY_NONE(Severity.WARNING, "The DMARC policy is p=none (or missing): mail that fails authentication is delivered as usual."),
  DMARC_PARTIAL_PCT(Severity.INFO, "pct below 100: RFC 7489 receivers apply the policy to only that share of failing mail."),
  DMARC_TESTING(Severity.INFO, "t=y: receivers apply the policy one step below what p says (RFC 9989)."),
  DMARC_REPORT_UNAUTHORIZED(Severity.WARNING, "A rua/ruf destination outside the domain's organisation has not published <domain>._report._dmarc.<destination>: receivers will not send it reports."),

  DKIM_KEY_MISSING(Severity.CRITICAL, "A configured DKIM selector has no key record at <selector>._domainkey.<domain> (NXDOMAIN, or no TXT record): every signature made with it fails."),
  DKIM_KEY_INVALID(Severity.CRITICAL, "A DKIM key record that verifiers cannot use: several TXT records at the name, a syntax error (RFC 6376 §3.6.1), a key that is not valid base64 or not an RSA/Ed25519 key, a version other than DKIM1, h= without sha256, s= without email."),
  DKIM_KEY_REVOKED(Severity.WARNING, "A DKIM key record with an empty p=: the key is revoked and every signature made with it fails (intended after a rotation, if nothing signs with it any more)."),
  DKIM_KEY_WEAK(Severity.WARNING, "An RSA DKIM key under 2048 bits (RFC 8301 asks for at least 1024 and recommends 2048); critical under 1024 bits, which verifiers reject."),
  DKIM_KEY_TESTING(Severity.INFO, "A DKIM key record with t=y: the domain is testing DKIM, and verifiers may treat failed signatures as unsigned mail."),

  NS_INCONSISTENT_MX(Severity.WARNING, "The zone's nameservers give different MX sets (the finding says which server gives which): a change made at one DNS host but not another, or a secondary that stopped transferring; half the senders see one set and half the other. The daemon makes it critical when it lasts longer than check.inconsistent_after (1 hour): a change that is not propagating rather than one in progress."),
  NS_INCONSISTENT_SPF(Severity.WARNING, "The zone's nameservers give different SPF records for the domain (Zonemaster Z11_INCONSISTENT_SPF_POLICIES); critical in the daemon when it lasts."),
  NS_INCONSISTENT_DMARC(Severity.WARNING, "The zone's nameservers give different DMARC records; critical in the daemon when it lasts."),
  NS_SERIAL_DIFFERS(Severity.WARNING, "The zone's nameservers serve different SOA serials: a secondary is behind its primary (by how much is in the message)."),
  NS_NOT_ANSWERING(Severity.WARNING, "A nameserver address of the zone does not answer (timeout, REFUSED, SERVFAIL): resolvers that pick it wait and retry elsewhere, and if all fail the domain disappears."),
  NS_NONE_ANSWERING(Severity.CRITICAL, "No nameserver of the zone answers authoritatively: once resolvers' caches run out, the domain (and its mail routing) cannot be resolved."),
  NS_NOT_AUTHORITATIVE(Severity.WARNING, "A nameserver of the zone answers without authority (AA clear): a lame delegation, often a former DNS host still listed."),
  NS_NO_ADDRESS(Severity.WARNING, "A nameserver named in the zone's NS set has no A or AAAA record (or their lookups failed): resolvers cannot use it."),
  NS_ADDRESS_NOT_PUBLIC(Severity.WARNING, "A nameserver address of the zone is in a range resolvers on the internet cannot reach (smtp.deny): it is not asked."),
  NS_PARENT_MISMATCH(Severity.WARNING, "The NS set the parent zone delegates to differs from the NS set in the zone itself (Zonemaster CONSISTENCY05/DELEGATION): resolvers use either, so a server in only one of them gets part of the traffic or none."),
  NS_SINGLE(Severity.WARNING, "The zone has only one nameserver (RFC 1034 §4.1, RFC 2182 ask for at least two): when it is down, the domain cannot be resolved."),
  NS_SAME_NETWORK(Severity.WARNING, "Every nameserver address of the zone is in one IPv4 /24 (and one IPv6 /48): one network outage takes all of them down."),

  DNS_LOOKUP_FAILED(Severity.WARNING, "A lookup failed (SERVFAIL, REFUSED, timeout, error): what it would have told is unknown, so the domain's status is unknown, not broken."),

  RECORDS_CHURNING(Severity.INFO, "The daemon saw more distinct states of the domain within 24 hours than its history keeps (48: rotating exchange addresses, a TXT record with a changing value): past that, each new state replaces the latest snapshot instead of adding one, and drift cannot confirm a state that never repeats. Cleared 24 hours after the last such state.");

  private final Severity severity;
  private final String description;

  FindingCode(Severity severity, String description) {
    this.severity = severity;
    this.description = description;
  }

  /** The usual severity. */
  public Severity severity() {
    return severity;
  }

  /** What the finding means, for the catalogue. */
  public String description() {
    return description;
  }
}
