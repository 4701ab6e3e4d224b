package io.mxwatch.policy;

import java.util.List;

/**
 * A parsed DKIM key record, the TXT at {@code <selector>._domainkey.<domain>} (RFC 6376 §3.6.1;
 * Ed25519 keys by RFC 8463).
 *
 * @param keyType {@code k}, lowercased: {@code rsa} (the default) or {@code ed25519}
 * @param revoked whether {@code p} is empty: the key is withdrawn and every signature made with it fails
 * @param keyBits the key's size (the RSA modulus, 256 for Ed25519); null when revoked or unreadable
 * @param keySha256 hex SHA-256 of the key as published (the decoded {@code p}): what tells two keys
 *     apart; null when revoked or not base64
 * @param testing {@code t=y}: the domain is testing DKIM, and verifiers may treat failures as no signature
 * @param errors problems that make verifiers unable to use the key
 * @param warnings problems verifiers tolerate
 */
public record DkimKey(
    String keyType, boolean revoked, Integer keyBits, String keySha256, boolean testing, List<String> errors, List<String> warnings) {
  public DkimKey {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  public boolean rsa() {
    return "rsa".equals(keyType);
  }
}
