package io.mxwatch.drift;

import io.mxwatch.audit.Severity;

/**
 * Every kind of change the drift engine reports between two confirmed states of a domain, with its
 * usual severity. Audit findings that appear or clear are reported under their own {@link
 * io.mxwatch.audit.FindingCode} instead. The names are a public interface (history, alerts,
 * metrics labels): they never change meaning.
 */
public enum ChangeCode {
  MX_ADDED(Severity.WARNING, "An exchange was added to the MX set."),
  MX_REMOVED(Severity.CRITICAL, "An exchange was removed from the MX set (or the domain stopped taking mail: null MX, no MX)."),
  MX_PREFERENCE_CHANGED(Severity.WARNING, "An exchange's MX preference changed: the order senders try the exchanges in changed."),
  MX_ADDRESS_CHANGED(Severity.WARNING, "An exchange's A/AAAA address set changed."),
  MX_TTL_CHANGED(Severity.INFO, "An MX record's TTL changed (reported only from authoritative answers, where TTLs are exact)."),
  SPF_ADDED(Severity.INFO, "An SPF record appeared."),
  SPF_REMOVED(Severity.CRITICAL, "The SPF record is gone: receivers no longer know which hosts may send for the domain."),
  SPF_CHANGED(Severity.WARNING, "The SPF record changed; the change lists the terms removed and added."),
  DMARC_ADDED(Severity.INFO, "A DMARC record appeared."),
  DMARC_REMOVED(Severity.CRITICAL, "The DMARC record is gone: receivers apply no policy."),
  DMARC_CHANGED(Severity.WARNING, "The DMARC record changed without weakening the policy."),
  DMARC_POLICY_WEAKENED(Severity.CRITICAL, "The DMARC policy got weaker: p (or sp) went down reject → quarantine → none, or pct was lowered."),
  SMTP_BANNER_CHANGED(Severity.INFO, "An exchange address greets with a different banner (words with digits and day and month names are ignored, so clocks, session IDs and numbered front-end hosts are no change)."),
  SMTP_BECAME_UNREACHABLE(Severity.CRITICAL, "An exchange address that took connections no longer does (refused, timeout, reset)."),
  SMTP_RECOVERED(Severity.INFO, "An exchange address that was unreachable takes connections again."),
  TLS_CERT_REPLACED(Severity.INFO, "An exchange address serves another certificate of the same key type (a renewal); the change says whether the key stayed the same, which DANE records of usage 3 1 x depend on."),
  TLSA_CHANGED(Severity.WARNING, "The TLSA records of an exchange (_25._tcp.<exchange>) changed: records added, removed or replaced; DANE senders match the served certificate against the new set."),
  DANE_KEY_CHANGED_WITHOUT_TLSA(Severity.CRITICAL, "An exchange with DANE-EE TLSA records (usage 3) serves a new certificate or key that none of them names: DANE senders refuse to deliver to it until a matching record is published."),
  DNSSEC_BROKEN(Severity.CRITICAL, "The MX answer no longer validates (secure or insecure → bogus): validating resolvers answer SERVFAIL and senders behind them cannot deliver."),
  DNSSEC_DISABLED(Severity.WARNING, "The MX answer was signed and is now insecure (the DS or the signatures were removed): DANE records are ignored from now on and the answers can be forged."),
  DNSSEC_CHANGED(Severity.INFO, "The DNSSEC status of the MX answer changed for the better: it validates as secure, or a bogus answer is insecure again."),
  MTA_STS_POLICY_CHANGED(Severity.INFO, "The MTA-STS policy changed, with a new id in the _mta-sts record: senders fetch it anew."),
  MTA_STS_POLICY_CHANGED_WITHOUT_ID(Severity.WARNING, "The MTA-STS policy changed but the id in the _mta-sts record did not: senders keep the copy they cached until max_age runs out."),
  MTA_STS_MODE_WEAKENED(Severity.CRITICAL, "The MTA-STS policy got weaker: enforce → testing → none, or it was removed; senders no longer refuse exchanges without valid TLS."),
  DKIM_KEY_ADDED(Severity.INFO, "A configured DKIM selector has a usable key where it had none (or a revoked or unusable one)."),
  DKIM_KEY_REPLACED(Severity.WARNING, "The key of a DKIM selector was replaced (the change shows both keys' types, sizes and digests): mail signed with the old key fails DKIM from now on."),
  DKIM_KEY_REMOVED(Severity.CRITICAL, "The key of a DKIM selector was removed, revoked or made unusable: mail signed with it fails DKIM."),
  EXPECTATION_MISMATCH(Severity.CRITICAL, "What is published differs from what the configuration declares (expected MX set, DMARC policy or SPF record)."),
  DNS_LOOKUP_FAILING(Severity.WARNING, "Lookups have failed (timeout, SERVFAIL, REFUSED) in as many consecutive checks as a change needs to be confirmed; the last known records are kept, nothing is reported as removed."),
  DNS_LOOKUP_RECOVERED(Severity.INFO, "Lookups answer again after DNS_LOOKUP_FAILING.");

  private final Severity severity;
  private final String description;

  ChangeCode(Severity severity, String description) {
    this.severity = severity;
    this.description = description;
  }

  public Severity severity() {
    return severity;
  }

  public String description() {
    return description;
  }

  /**
   * Whether approving the domain's state resolves an open change with this code (a change code or
   * a finding code). A mismatch with the config resolves when the records or the config change, a
   * lookup failure when the lookups answer again: neither is a state to approve.
   */
  public static boolean approvable(String code) {
    return !code.equals(EXPECTATION_MISMATCH.name()) && !code.equals(DNS_LOOKUP_FAILING.name());
  }
}
