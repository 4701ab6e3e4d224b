package io.mxwatch.tls;

import java.time.Instant;
import java.util.List;

/**
 * DANE for SMTP (RFC 7672 §3): whether a served chain matches an exchange's TLSA records as a
 * sender checks it. DANE-EE (usage 3) matches the leaf's certificate or key and ignores names and
 * validity (§3.1.1); DANE-TA (usage 2) matches a certificate of the chain above the leaf, and then
 * the leaf must be issued under it (each certificate signed by the next one's key), be valid now
 * and name the exchange (§3.1.2, §3.2.2); PKIX
 * usages (0, 1) are not used for SMTP and never match.
 */
public final class Dane {
  private Dane() {}

  /** How a chain fares against the TLSA records: the record that matched, or why none did. */
  public record Match(TlsaRecord matched, String problem) {
    public boolean ok() {
      return matched != null;
    }
  }

  /**
   * @param chain the served chain, leaf first
   * @param exchange the exchange's name (the reference identifier of DANE-TA)
   * @param now the check's time
   */
  public static Match match(List<TlsaRecord> tlsa, List<CertificateFacts> chain, String exchange, Instant now) {
    if (chain.isEmpty()) {
      return new Match(null, "no certificate was served");
    }
    CertificateFacts leaf = chain.getFirst();
    String taProblem = null;
    for (TlsaRecord r : tlsa) {
      if (!r.usable()) {
        continue;
      }
      if (r.usage() == 3 && r.matches(leaf)) {
        return new Match(r, null);
      }
      if (r.usage() == 2) {
        for (int i = 1; i < chain.size(); i++) {
          if (!r.matches(chain.get(i))) {
            continue;
          }
          String problem = underTrustAnchor(chain, i, exchange, now);
          if (problem == null) {
            return new Match(r, null);
          }
          taProblem = "the DANE-TA record " + r.describe() + " matches " + chain.get(i).subject() + ", but " + problem;
        }
      }
    }
    if (taProblem != null) {
      return new Match(null, taProblem);
    }
    return new Match(null, "no TLSA record matches the " + leaf.keyType() + " certificate served (" + leaf.subject() + ", key SHA-256 " + abbreviate(leaf.spkiSha256()) + ")");
  }

  /** Why the leaf does not pass under the trust anchor at {@code ta}, or null when it does. */
  private static String underTrustAnchor(List<CertificateFacts> chain, int ta, String exchange, Instant now) {
    for (int i = 0; i < ta; i++) {
      CertificateFacts c = chain.get(i);
      // the signature when it is known (a snapshot from before it was recorded has the names only)
      boolean linked = c.signedByNext() != null ? c.signedByNext() : c.issuer().equals(chain.get(i + 1).subject());
      if (!linked) {
        return "the chain below it is broken at " + c.subject() + " (" + (c.issuer().equals(chain.get(i + 1).subject())
            ? "its issuer's name is that of the next certificate, but not the key that signed it" : "issued by " + c.issuer() + ", not by " + chain.get(i + 1).subject()) + ")";
      }
    }
    CertificateFacts leaf = chain.getFirst();
    if (now.isAfter(leaf.notAfter())) {
      return "the certificate expired on " + leaf.notAfter();
    }
    if (now.isBefore(leaf.notBefore())) {
      return "the certificate is valid only from " + leaf.notBefore();
    }
    if (!HostNames.matches(leaf, exchange)) {
      return "the certificate is not for " + exchange;
    }
    return null;
  }

  private static String abbreviate(String hex) {
    return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
  }
}
