package io.mxwatch.dns;

import java.time.Instant;

/**
 * The DNSSEC validation of one answer.
 *
 * @param status secure, insecure, bogus or indeterminate
 * @param reason why it is bogus or indeterminate, bounded; null otherwise
 * @param signaturesExpire the earliest expiration of the signatures on a secure answer (RRSIG
 *     expiration), null otherwise
 */
public record DnssecResult(DnssecStatus status, String reason, Instant signaturesExpire) {
  /** Longest reason kept: it quotes names and records from the network. */
  static final int MAX_REASON = 300;

  public DnssecResult {
    if (reason != null && reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON) + "…";
    }
  }

  public boolean secure() {
    return status == DnssecStatus.SECURE;
  }

  public boolean bogus() {
    return status == DnssecStatus.BOGUS;
  }

  /** e.g. {@code secure}, {@code bogus: signature expired}. */
  public String describe() {
    return reason == null ? status.label() : status.label() + ": " + reason;
  }
}
