package io.mxwatch.tls;

import java.util.HexFormat;
import java.util.Locale;

/**
 * One TLSA record (RFC 6698) as published.
 *
 * @param usage 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (only 2 and 3 count for SMTP, RFC 7672
 *     §3.1.3)
 * @param selector 0 the whole certificate, 1 its SubjectPublicKeyInfo
 * @param matchingType 0 the data itself, 1 its SHA-256, 2 its SHA-512
 * @param data the association data, lowercase hex, bounded
 */
public record TlsaRecord(int usage, int selector, int matchingType, String data) {
  /** Longest association data kept, in hex digits (a certificate is a few KB). */
  static final int MAX_DATA = 8192;

  public TlsaRecord {
    data = data.toLowerCase(Locale.ROOT);
    if (data.length() > MAX_DATA) {
      data = data.substring(0, MAX_DATA);
    }
  }

  public static TlsaRecord of(org.xbill.DNS.TLSARecord r) {
    return new TlsaRecord(r.getCertificateUsage(), r.getSelector(), r.getMatchingType(), HexFormat.of().formatHex(r.getCertificateAssociationData()));
  }

  /** Whether SMTP senders use it (RFC 7672 §3.1.3: DANE-TA and DANE-EE with a known selector and matching type). */
  public boolean usable() {
    return (usage == 2 || usage == 3) && (selector == 0 || selector == 1) && matchingType >= 0 && matchingType <= 2;
  }

  /** Whether it names {@code cert}: its certificate or key, hashed as the matching type says. */
  public boolean matches(CertificateFacts cert) {
    String sha256 = selector == 0 ? cert.certSha256() : cert.spkiSha256();
    String sha512 = selector == 0 ? cert.certSha512() : cert.spkiSha512();
    return switch (matchingType) {
      case 1 -> data.equals(sha256);
      case 2 -> data.equals(sha512);
      // the full data: its SHA-256 is what is kept of the certificate or key
      case 0 -> data.length() % 2 == 0 && data.length() < MAX_DATA && sha256(data).equals(sha256);
      default -> false;
    };
  }

  private static String sha256(String hex) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(hex));
      return HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException | IllegalArgumentException e) {
      return "";
    }
  }

  /** As in a zone file, the data shortened: {@code 3 1 1 a1b2…}. */
  public String describe() {
    return usage + " " + selector + " " + matchingType + " " + (data.length() > 16 ? data.substring(0, 16) + "…" : data);
  }
}
