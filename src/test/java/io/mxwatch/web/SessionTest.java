package io.mxwatch.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionTest {
  static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  final Session session = new Session("the-write-token-of-this-daemon");

  @Test
  void onlyTheTokenSignsIn() {
    assertThat(session.isToken("the-write-token-of-this-daemon")).isTrue();
    assertThat(session.isToken("the-write-token-of-this-daemoN")).isFalse();
    assertThat(session.isToken("")).isFalse();
  }

  @Test
  void aCookieHoldsForItsLifetimeAndNotAfter() {
    String cookie = session.cookieValue(NOW);
    assertThat(cookie).doesNotContain("the-write-token");
    assertThat(session.isSession(cookie, NOW.plus(Session.LIFETIME).minusSeconds(1))).isTrue();
    assertThat(session.isSession(cookie, NOW.plus(Session.LIFETIME))).isFalse();
  }

  @Test
  void aCookieWithAnotherEndOrOfAnotherTokenIsRefused() {
    String cookie = session.cookieValue(NOW);
    String end = cookie.substring(0, cookie.indexOf('.'));
    String later = (Long.parseLong(end) + 86_400) + cookie.substring(cookie.indexOf('.'));
    assertThat(session.isSession(later, NOW)).as("an end moved later").isFalse();
    assertThat(new Session("another-token-of-another-one").isSession(cookie, NOW)).isFalse();
    assertThat(session.isSession(null, NOW)).isFalse();
    assertThat(session.isSession("garbage", NOW)).isFalse();
    assertThat(session.isSession("." + cookie, NOW)).isFalse();
  }

  @Test
  void theFormsValueBelongsToItsSession() {
    String cookie = session.cookieValue(NOW);
    String other = session.cookieValue(NOW.plusSeconds(60));
    assertThat(session.isCsrf(session.csrf(cookie), cookie)).isTrue();
    assertThat(session.isCsrf(session.csrf(other), cookie)).isFalse();
    assertThat(session.isCsrf(null, cookie)).isFalse();
    assertThat(session.isCsrf(session.csrf(cookie), null)).isFalse();
  }
}
