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
 * cookie, and every form carries a second value derived from the cookie's (a CSRF token). Both
 * are HMACs keyed with the configured token, so they need no server-side store, survive a restart,
 * and stop working the moment the token is changed. A session lasts {@link #LIFETIME}: the cookie
 * names its end, signed with the rest, and says so to the browser ({@code Max-Age}).
 */
final class Session {
  static final String COOKIE = "mxwatch_session";
  /** How long a sign-in lasts: a shift, not forever. */
  static final java.time.Duration LIFETIME = java.time.Duration.ofHours(12);

  private final byte[] token;

  /** @param token the configured write token (http.token_file) */
  Session(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code given} is the configured token (compared in constant time, as digests). */
  boolean isToken(String given) {
    return same(digest(given.getBytes(StandardCharsets.UTF_8)), digest(token));
  }

  /** The cookie's value for a browser that gave the right token at {@code now}: "END.HMAC". */
  String cookieValue(java.time.Instant now) {
    long end = now.plus(LIFETIME).getEpochSecond();
    return end + "." + hmac("mxwatch session " + end);
  }

  /** Whether a request's cookie value is one this token made, and its session has not ended at {@code now}. */
  boolean isSession(String cookie, java.time.Instant now) {
    if (cookie == null) {
      return false;
    }
    int dot = cookie.indexOf('.');
    long end;
    try {
      end = Long.parseLong(cookie.substring(0, Math.max(dot, 0)));
    } catch (NumberFormatException e) {
      return false;
    }
    return now.getEpochSecond() < end && same(cookie.getBytes(StandardCharsets.US_ASCII), (end + "." + hmac("mxwatch session " + end)).getBytes(StandardCharsets.US_ASCII));
  }

  /** The value every form of a page signed in with {@code cookie} carries, checked on each write. */
  String csrf(String cookie) {
    return hmac("mxwatch form " + cookie);
  }

  boolean isCsrf(String given, String cookie) {
    return given != null && cookie != null && same(given.getBytes(StandardCharsets.US_ASCII), csrf(cookie).getBytes(StandardCharsets.US_ASCII));
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
