package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Http;
import io.mxwatch.testing.TestSmtpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages over HTTP, against a running daemon: what they show, what they escape, and who may
 * write through them (the browser tests drive the same pages in Chromium).
 */
class WebPagesTest {
  static final String DOMAIN = CheckFixture.DOMAIN;
  static final String TOKEN = "s3cret-token-for-pages";
  static final String HOSTILE = "<script>alert(1)</script>";
  static final Duration WAIT = Duration.ofSeconds(60);
  /** An open change's heading names its code so; the timeline names it in plain text. */
  static final String OPEN_MX_REMOVED = "<code>MX_REMOVED</code>";

  @TempDir Path dir;
  private final CheckFixture f =
      new CheckFixture()
          .zone(DOMAIN, CheckFixture.TWO_EXCHANGES.replace("v=spf1 mx -all", "v=spf1 mx -all " + HOSTILE.replace("\"", "")))
          .zone("ok.test", CheckFixture.TWO_EXCHANGES.replace("127.0.0.3", "127.0.0.2"))
          .smtp("127.0.0.2", TestSmtpServer.wellBehaved());
  private Daemon daemon;

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  private Http start(boolean withToken) throws Exception {
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    daemon = ProbingDaemon.start(dir, f, withToken ? ", token_file: token" : "", "[" + DOMAIN + ", ok.test]");
    Http http = new Http(daemon.httpAddress());
    Await.until("both domains checked", WAIT, () -> page(http, "/").body().contains("status status-ok\">ok") && !page(http, "/").body().contains(">unchecked</span></td>"));
    Await.until("the baseline of " + DOMAIN, WAIT, () -> daemon.store().load(DOMAIN).state().baseline() != null);
    return http;
  }

  static HttpResponse<String> page(Http http, String path, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Accept";
    all[1] = "text/html,application/xhtml+xml";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return http.get(path, all);
  }

  /** Signs in: the session cookie. */
  static String signIn(Http http, String token) {
    HttpResponse<String> r = http.form("/session", "token=" + token + "&back=/", "Origin", origin(http));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
    return cookie.substring(0, cookie.indexOf(';'));
  }

  static String origin(Http http) {
    return "http://" + http.authority();
  }

  static String csrf(String html) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a form with its CSRF value").isTrue();
    return m.group(1);
  }

  static String ackToken(String html) {
    Matcher m = Pattern.compile("name=\"expect\" value=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("the approve form").isTrue();
    return m.group(1);
  }

  @Test
  void theOverviewListsTheDomainsWorstFirstWithAStrictPolicyAndTheIndexStaysForOtherClients() throws Exception {
    Http http = start(true);
    HttpResponse<String> r = page(http, "/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'").doesNotContain("script-src");
    String html = r.body();
    assertThat(html.indexOf(">" + DOMAIN + "</a>")).as("the warning domain before the ok one").isLessThan(html.indexOf(">ok.test</a>"));
    assertThat(html).contains("<th scope=\"col\">Exchanges up</th>").contains("1/2").contains("2/2");
    assertThat(page(http, "/?status=ok").body()).contains(">ok.test</a>").doesNotContain(">" + DOMAIN + "</a>");
    assertThat(page(http, "/?name=ok.test").body()).contains(">ok.test</a>").doesNotContain(">" + DOMAIN + "</a>");
    assertThat(page(http, "/?status=bogus").statusCode()).isEqualTo(400);
    assertThat(http.get("/").body()).as("curl and friends: the index").startsWith("mxwatch\n");
    assertThat(page(http, "/static/mxwatch.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
  }

  @Test
  void theDomainPageShowsBeforeAndAfterAndEscapesWhatCameFromTheNetwork() throws Exception {
    Http http = start(true);
    f.dns.replace(DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", "").replace("v=spf1 mx -all", "v=spf1 mx -all " + HOSTILE.replace("\"", "")));
    String html = Await.value("MX_REMOVED on the page", WAIT, () -> {
      String b = page(http, "/domains/" + DOMAIN).body();
      return b.contains(OPEN_MX_REMOVED) ? b : null;
    });
    assertThat(html).contains("<del>20 mx2.example.test</del>").contains("<dt>after</dt><dd class=\"wrap\">absent</dd>");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(HOSTILE);
    assertThat(html).contains("Sign in</a> to approve");
    assertThat(page(http, "/domains/nowhere.test").statusCode()).isEqualTo(404);
    assertThat(page(http, "/domains/not..valid").statusCode()).isEqualTo(400);
  }

  @Test
  void onlyASignedInBrowserOfThisOriginWithTheFormsValueMayApprove() throws Exception {
    Http http = start(true);
    f.dns.replace(DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    Await.until("MX_REMOVED open", WAIT, () -> page(http, "/domains/" + DOMAIN).body().contains(OPEN_MX_REMOVED));

    assertThat(http.form("/domains/" + DOMAIN + "/ack", "reason=x", "Origin", origin(http)).statusCode())
        .as("no session").isEqualTo(403);
    assertThat(http.form("/session", "token=wrong&back=/", "Origin", origin(http)).statusCode()).isEqualTo(403);
    String cookie = signIn(http, TOKEN);
    String html = page(http, "/domains/" + DOMAIN, "Cookie", cookie).body();
    String csrf = csrf(html);
    String expect = ackToken(html);
    String ack = "csrf=" + csrf + "&expect=" + expect + "&reason=planned+migration&by=oncall";

    HttpResponse<String> crossSite = http.form("/domains/" + DOMAIN + "/ack", ack, "Cookie", cookie, "Origin", "http://evil.example");
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("another site");
    assertThat(http.form("/domains/" + DOMAIN + "/ack", ack, "Cookie", cookie, "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
    assertThat(http.form("/domains/" + DOMAIN + "/ack", ack.replace(csrf, "forged"), "Cookie", cookie, "Origin", origin(http)).statusCode())
        .as("without the form's value").isEqualTo(403);
    assertThat(page(http, "/domains/" + DOMAIN).body()).as("nothing approved by the refused ones").contains(OPEN_MX_REMOVED);

    HttpResponse<String> done = http.form("/domains/" + DOMAIN + "/ack", ack, "Cookie", cookie, "Origin", origin(http));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location")).hasValue("/domains/" + DOMAIN + "?done=approved");
    String after = page(http, "/domains/" + DOMAIN + "?done=approved", "Cookie", cookie).body();
    assertThat(after).contains("Approved: the current state is the new baseline.").contains("Open changes (0)").contains("approved by oncall");

    HttpResponse<String> silenced = http.form("/domains/" + DOMAIN + "/silence", "csrf=" + csrf + "&duration=2h&reason=maintenance&by=oncall", "Cookie", cookie, "Origin", origin(http));
    assertThat(silenced.statusCode()).as(silenced.body()).isEqualTo(303);
    assertThat(new Http(daemon.httpAddress()).get("/api/silences").body()).contains("maintenance");
  }

  @Test
  void withoutATokenThePagesSayHowToEnableWrites() throws Exception {
    Http http = start(false);
    f.dns.replace(DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    String html = Await.value("MX_REMOVED on the page", WAIT, () -> {
      String b = page(http, "/domains/" + DOMAIN).body();
      return b.contains(OPEN_MX_REMOVED) ? b : null;
    });
    assertThat(html).contains("read only").contains("needs a write token: set <code>http.token_file</code>");
    assertThat(http.form("/session", "token=anything").statusCode()).isEqualTo(403);
  }
}
