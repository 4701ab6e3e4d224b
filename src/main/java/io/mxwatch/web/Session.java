package io.mxwatch.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the pages' writes rest on: the operator enters the write token once; the browser keeps a
 * value derived from it (never the token itself) in an {@code HttpOnly}, {@code SameSite=Strict}
 * cookie, and every form carries a second value derived from the same token (a CSRF token). Both
 * are HMACs of the configured token, so they need no server-side store, survive a restart, and stop
 * working the moment the token is changed.
 */
final class Session {
  static final String COOKIE = "mxwatch_session";

  private final byte[] token;

  /** @param token the configured write token (http.token_file) */
  Session(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code given} is the configured token (compared in constant time, as digests). */
  boolean isToken(String given) {
    return same(digest(given.getBytes(StandardCharsets.UTF_8)), digest(token));
  }

  /** The cookie's value for a browser that gave the right token. */
  String cookieValue() {
    return hmac("mxwatch session");
  }

  /** Whether a request's cookie value is this token's. */
  boolean isSession(String cookie) {
    return cookie != null && same(cookie.getBytes(StandardCharsets.US_ASCII), cookieValue().getBytes(StandardCharsets.US_ASCII));
  }

  /** The value every form of a signed-in page carries, checked on each write. */
  String csrf() {
    return hmac("mxwatch form");
  }

  boolean isCsrf(String given) {
    return given != null && same(given.getBytes(StandardCharsets.US_ASCII), csrf().getBytes(StandardCharsets.US_ASCII));
  }

  private String hmac(String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(digest(a), digest(b));
  }

  private static byte[] digest(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
