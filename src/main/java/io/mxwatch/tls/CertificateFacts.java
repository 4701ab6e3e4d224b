package io.mxwatch.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;

/**
 * What a served certificate says, as a value that can be stored, compared and matched against
 * TLSA records without the certificate itself.
 *
 * @param subject the subject DN (RFC 2253), bounded in length
 * @param dnsNames the dNSName subject alternative names, lowercase
 * @param issuer the issuer DN (RFC 2253), bounded in length
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param keyType {@code RSA}, {@code EC}, {@code Ed25519} …
 * @param keyBits the key size (RSA modulus, EC field size), 0 when unknown
 * @param spkiSha256 SHA-256 of the SubjectPublicKeyInfo, hex (TLSA selector 1, matching type 1)
 * @param spkiSha512 SHA-512 of the SubjectPublicKeyInfo, hex (selector 1, matching type 2)
 * @param certSha256 SHA-256 of the whole certificate, hex (selector 0, matching type 1)
 * @param certSha512 SHA-512 of the whole certificate, hex (selector 0, matching type 2)
 */
public record CertificateFacts(
    String subject,
    List<String> dnsNames,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    String keyType,
    int keyBits,
    String spkiSha256,
    String spkiSha512,
    String certSha256,
    String certSha512,
    Boolean signedByNext) {

  /** Longest DN kept: a certificate is untrusted input. */
  static final int MAX_DN = 512;
  /** Most subject alternative names kept (a real certificate has up to a few hundred). */
  static final int MAX_NAMES = 200;

  public CertificateFacts {
    dnsNames = List.copyOf(dnsNames);
  }

  /**
   * The facts of a served chain, leaf first, each with whether the certificate after it signed it
   * (DANE-TA's link from the leaf to the trust anchor: names alone can be copied).
   */
  public static List<CertificateFacts> ofChain(List<X509Certificate> chain) {
    List<CertificateFacts> out = new java.util.ArrayList<>(chain.size());
    for (int i = 0; i < chain.size(); i++) {
      out.add(of(chain.get(i), i + 1 < chain.size() ? signedBy(chain.get(i), chain.get(i + 1)) : null));
    }
    return out;
  }

  /** Whether {@code issuer}'s key verifies {@code cert}'s signature. */
  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false; // another key, an unknown algorithm, a malformed signature
    }
  }

  /** The facts of one certificate, with nothing known of its issuer's signature. */
  public static CertificateFacts of(X509Certificate cert) {
    return of(cert, null);
  }

  private static CertificateFacts of(X509Certificate cert, Boolean signedByNext) {
    PublicKey key = cert.getPublicKey();
    byte[] spki = key.getEncoded();
    byte[] der;
    try {
      der = cert.getEncoded();
    } catch (CertificateEncodingException e) {
      der = new byte[0];
    }
    return new CertificateFacts(
        dn(cert.getSubjectX500Principal()),
        dnsNames(cert),
        dn(cert.getIssuerX500Principal()),
        cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(),
        key.getAlgorithm(),
        bits(key),
        hex("SHA-256", spki),
        hex("SHA-512", spki),
        hex("SHA-256", der),
        hex("SHA-512", der),
        signedByNext);
  }

  /** Whether this is an RSA key (else EC, EdDSA …). */
  public boolean rsa() {
    return keyType.equalsIgnoreCase("RSA") || keyType.equalsIgnoreCase("RSASSA-PSS");
  }

  /** The subject's common name, when it has one (for certificates without dNSName SANs). */
  public String commonName() {
    for (String part : subject.split("(?<!\\\\),")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "CN=", 0, 3)) {
        return p.substring(3).toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  private static String dn(X500Principal p) {
    String name = p.getName(X500Principal.RFC2253);
    return name.length() > MAX_DN ? name.substring(0, MAX_DN) + "…" : name;
  }

  private static List<String> dnsNames(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s && names.size() < MAX_NAMES) {
            names.add(s.toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // a certificate whose SAN extension does not parse has no usable names
    }
    return names;
  }

  private static int bits(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    if (key instanceof ECPublicKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize();
    }
    return switch (key.getAlgorithm()) {
      case "Ed25519", "X25519" -> 255;
      case "Ed448", "X448" -> 448;
      default -> 0;
    };
  }

  static String hex(String algorithm, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }
}
