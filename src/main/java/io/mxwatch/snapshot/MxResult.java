package io.mxwatch.snapshot;

import io.mxwatch.dns.DnsStatus;
import java.util.List;

/**
 * The domain's mail exchangers as a check saw them.
 *
 * @param outcome the MX lookup
 * @param mode how mail is routed: explicit MX records, a null MX, the implicit MX, none, or unknown
 *     when a lookup failed
 * @param authoritative whether the MX answer carried the AA flag (TTLs are exact only then)
 * @param hosts the exchanges, sorted by preference then name; for the implicit MX the domain itself
 */
public record MxResult(DnsStatus outcome, Mode mode, boolean authoritative, List<MxHost> hosts) {
  public MxResult {
    hosts = List.copyOf(hosts);
  }

  public enum Mode {
    /** MX records name the exchanges. */
    MX,
    /** The single RFC 7505 record {@code 0 .}: the domain accepts no mail. */
    NULL_MX,
    /** No MX records: mail goes to the domain's own addresses (RFC 5321 §5.1). */
    IMPLICIT,
    /** No MX records and no address, or no such domain: mail cannot be delivered. */
    NONE,
    /** A lookup failed: how mail is routed is not known. */
    UNKNOWN
  }

  /** Exchanges that mail can be sent to: not the "." of a null MX, not IP literals. */
  public List<MxHost> deliverable() {
    List<MxHost> out = new java.util.ArrayList<>(hosts.size());
    for (MxHost h : hosts) {
      if (h.resolvable()) {
        out.add(h);
      }
    }
    return java.util.Collections.unmodifiableList(out);
  }
}
