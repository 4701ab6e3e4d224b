package io.mxwatch.policy;

import java.util.List;

/**
 * A parsed DMARC policy record (RFC 9989 §4.7).
 *
 * @param text the record as published
 * @param tags every tag as written, in order, names lowercased
 * @param policy {@code p}, lowercased; null when absent or invalid
 * @param subdomainPolicy {@code sp} as written; null when absent or invalid
 * @param nonexistentPolicy {@code np} as written; null when absent or invalid
 * @param pct {@code pct} when written as a number (removed by RFC 9989, still honoured by RFC
 *     7489 receivers)
 * @param testing {@code t=y}
 * @param rua aggregate report destinations
 * @param ruf failure report destinations
 * @param errors problems that make receivers discard the record
 * @param warnings problems receivers tolerate, and constructs RFC 9989 removed
 */
public record DmarcRecord(
    String text,
    List<DmarcTag> tags,
    String policy,
    String subdomainPolicy,
    String nonexistentPolicy,
    Integer pct,
    boolean testing,
    List<DmarcUri> rua,
    List<DmarcUri> ruf,
    List<String> errors,
    List<String> warnings) {

  public DmarcRecord {
    tags = List.copyOf(tags);
    rua = List.copyOf(rua);
    ruf = List.copyOf(ruf);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** One tag as written. */
  public record DmarcTag(String name, String value) {}

  /** One report destination. {@code domain} is the mailto address's domain, null otherwise. */
  public record DmarcUri(String uri, String domain) {}

  public boolean valid() {
    return errors.isEmpty();
  }

  /** The policy receivers apply to the domain: {@code p}, or none when it is missing. */
  public String effectivePolicy() {
    return policy == null ? "none" : policy;
  }

  /** The policy for existing subdomains: {@code sp}, else {@code p}. */
  public String effectiveSubdomainPolicy() {
    return subdomainPolicy == null ? effectivePolicy() : subdomainPolicy;
  }

  /** The policy for non-existent subdomains: {@code np}, else {@code sp}, else {@code p}. */
  public String effectiveNonexistentPolicy() {
    return nonexistentPolicy == null ? effectiveSubdomainPolicy() : nonexistentPolicy;
  }

  /** Policy strength for comparisons: none 0, quarantine 1, reject 2. */
  public static int strength(String policy) {
    return switch (policy) {
      case "reject" -> 2;
      case "quarantine" -> 1;
      default -> 0;
    };
  }
}
