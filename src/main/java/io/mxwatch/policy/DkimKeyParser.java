package io.mxwatch.policy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses DKIM key records as verifiers read them: the tag list of RFC 6376 §3.2 (a duplicate tag
 * invalidates it, unknown tags are ignored), {@code v=DKIM1} only first, {@code p} required (empty:
 * revoked), RSA keys as SubjectPublicKeyInfo or bare RSAPublicKey DER, Ed25519 keys as the raw 32
 * bytes of RFC 8463. Never throws: every problem is an error or a warning of the result.
 */
public final class DkimKeyParser {
  private static final Pattern TAG = Pattern.compile("[ \\t\\r\\n]*([A-Za-z][A-Za-z0-9_]*)[ \\t\\r\\n]*=(.*)", Pattern.DOTALL);
  /** Longest record parsed: a 4096-bit RSA key takes about 800 characters. */
  static final int MAX_LENGTH = 8192;
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
  /** The DER prefix of an RSA SubjectPublicKeyInfo's algorithm: SEQUENCE { OID rsaEncryption, NULL }. */
  private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

  private DkimKeyParser() {}

  public static DkimKey parse(String text) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (text.length() > MAX_LENGTH) {
      errors.add("longer than " + MAX_LENGTH / 1024 + " KiB: no key record is");
      return new DkimKey("rsa", false, null, null, false, errors, warnings);
    }
    if (text.isBlank()) {
      errors.add("empty record");
      return new DkimKey("rsa", false, null, null, false, errors, warnings);
    }
    for (char c : text.toCharArray()) {
      if (c != '\t' && c != '\r' && c != '\n' && (c < 0x20 || c > 0x7e)) {
        errors.add("character outside printable ASCII");
        return new DkimKey("rsa", false, null, null, false, errors, warnings);
      }
    }
    String version = null;
    String keyType = null;
    String publicKey = null;
    String hashes = null;
    String services = null;
    String flags = null;
    Set<String> seen = new HashSet<>();
    String[] parts = text.split(";", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isBlank()) {
        if (i < parts.length - 1 || parts.length == 1) {
          errors.add(parts.length == 1 ? "empty record" : "an empty tag between two ';'");
        }
        continue;
      }
      Matcher m = TAG.matcher(part);
      if (!m.matches()) {
        errors.add("'" + shown(part.strip()) + "' is not tag=value");
        continue;
      }
      String name = m.group(1);
      String value = m.group(2).strip();
      if (!seen.add(name)) {
        errors.add("the tag " + name + "= appears twice, which invalidates the record (RFC 6376 §3.2)");
        continue;
      }
      switch (name) {
        case "v" -> {
          version = value;
          if (i != 0) {
            errors.add("v= must be the first tag");
          }
        }
        case "k" -> keyType = value.toLowerCase(Locale.ROOT);
        case "p" -> publicKey = value.replaceAll("[ \\t\\r\\n]", "");
        case "h" -> hashes = value;
        case "s" -> services = value;
        case "t" -> flags = value;
        default -> {
          // n= (notes) and tags of later extensions: ignored, as verifiers do
        }
      }
    }
    if (version != null && !version.equals("DKIM1")) {
      errors.add("version '" + shown(version) + "' is not DKIM1");
    }
    if (keyType == null) {
      keyType = "rsa";
    } else if (!keyType.equals("rsa") && !keyType.equals("ed25519")) {
      errors.add("unknown key type k=" + shown(keyType) + " (rsa or ed25519)");
    }
    if (hashes != null && list(hashes).stream().noneMatch(h -> h.equalsIgnoreCase("sha256"))) {
      errors.add("h=" + shown(hashes) + " leaves out sha256: only rsa-sha1 signatures would verify, which RFC 8301 forbids");
    }
    if (services != null && list(services).stream().noneMatch(s -> s.equals("*") || s.equalsIgnoreCase("email"))) {
      errors.add("s=" + shown(services) + " does not include email or *: the key is not for mail");
    }
    boolean testing = flags != null && list(flags).stream().anyMatch(f -> f.equalsIgnoreCase("y"));
    if (publicKey == null) {
      errors.add("no p= tag: the record has no key");
      return new DkimKey(keyType, false, null, null, testing, errors, warnings);
    }
    if (publicKey.isEmpty()) {
      return new DkimKey(keyType, true, null, null, testing, errors, warnings);
    }
    byte[] key;
    if (!BASE64.matcher(publicKey).matches() || publicKey.length() % 4 != 0) {
      errors.add("p= is not valid base64");
      return new DkimKey(keyType, false, null, null, testing, errors, warnings);
    }
    key = Base64.getDecoder().decode(publicKey);
    String sha256 = sha256(key);
    Integer bits = null;
    if (keyType.equals("ed25519")) {
      if (key.length == 32) {
        bits = 256;
      } else {
        errors.add("an Ed25519 key is 32 bytes (RFC 8463), p= holds " + key.length);
      }
    } else if (keyType.equals("rsa")) {
      bits = rsaBits(key);
      if (bits == null) {
        errors.add("p= is not an RSA public key (DER SubjectPublicKeyInfo or RSAPublicKey)");
      }
    }
    return new DkimKey(keyType, false, bits, sha256, testing, errors, warnings);
  }

  private static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String item : value.split(":", -1)) {
      out.add(item.strip());
    }
    return out;
  }

  /** The modulus size of an RSA key in SubjectPublicKeyInfo or bare RSAPublicKey form; null when it is neither. */
  private static Integer rsaBits(byte[] der) {
    Integer bits = rsaSpkiBits(der);
    return bits != null ? bits : rsaSpkiBits(spki(der));
  }

  private static Integer rsaSpkiBits(byte[] spki) {
    try {
      if (KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki)) instanceof RSAPublicKey rsa) {
        BigInteger n = rsa.getModulus();
        return n.signum() > 0 ? n.bitLength() : null;
      }
      return null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** A bare RSAPublicKey wrapped as a SubjectPublicKeyInfo. */
  private static byte[] spki(byte[] rsaPublicKey) {
    byte[] bitString = concat(new byte[] {0x03}, length(rsaPublicKey.length + 1), new byte[] {0x00}, rsaPublicKey);
    byte[] body = concat(RSA_ALGORITHM, bitString);
    return concat(new byte[] {0x30}, length(body.length), body);
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    byte[] big = BigInteger.valueOf(n).toByteArray();
    int skip = big[0] == 0 ? 1 : 0;
    byte[] out = new byte[big.length - skip + 1];
    out[0] = (byte) (0x80 | (big.length - skip));
    System.arraycopy(big, skip, out, 1, big.length - skip);
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** At most 80 characters of the record's text (printable already), for messages. */
  private static String shown(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
