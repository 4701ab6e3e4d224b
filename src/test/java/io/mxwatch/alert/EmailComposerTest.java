package io.mxwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mxwatch.audit.Severity;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.DomainState;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What an alert email says, and that nothing from the network can break out of it. */
class EmailComposerTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final String HOSTILE =
      "220 evil.example ESMTP\r\nBcc: victim@example.net\r\nSubject: injected\r\n\r\n<script>alert('x')</script><a href=\"http://evil\">click</a>"
          + "A".repeat(100_000);

  private static Alert alert(String code, Severity severity, String subject, String before, String after) {
    return new Alert(new AlertKey("example.org", code, subject), severity, before, after, T0, false);
  }

  private static EmailComposer.Context ctx(DomainState current, List<AlertRepository.Confirmation> history) {
    return new EmailComposer.Context(
        "pager", List.of("oncall@example.net"), "mxwatch@alerts.test", URI.create("https://mxwatch.example.net/"), "/etc/mxwatch/mxwatch.yaml", 2, current, history, List.of());
  }

  static String textPart(MimeMessage m) throws Exception {
    return part(m, 0);
  }

  static String part(MimeMessage m, int i) throws Exception {
    BodyPart p = ((Multipart) m.getContent()).getBodyPart(i);
    return (String) p.getContent();
  }

  @Test
  void theEmailSaysWhatChangedSinceWhenWhoConfirmedItAndHowToApproveIt() {
    Alert removed = alert("MX_REMOVED", Severity.CRITICAL, "mx2.example.org", "20 mx2.example.org", "absent");
    Alert spf = alert("SPF_CHANGED", Severity.WARNING, "spf", "v=spf1 -all", "v=spf1 ~all");
    Notification n = new Notification("example.org", Notification.Kind.FIRING, List.of(removed, spf), List.of(), T0.plusSeconds(30), 2, T0);
    AlertRepository.Confirmation c = new AlertRepository.Confirmation("MX_REMOVED", "mx2.example.org", T0.minusSeconds(300), T0);

    Email e = new EmailComposer().compose(n, ctx(null, List.of(c)));

    assertThat(e.subject()).isEqualTo("[mxwatch] CRITICAL example.org: MX mx2.example.org removed (+1 more)");
    assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(e.messageId()).isEqualTo("<" + T0.toEpochMilli() + ".2.pager.example.org@alerts.test>");
    assertThat(e.inReplyTo()).isEqualTo("<" + T0.toEpochMilli() + ".1.pager.example.org@alerts.test>");
    assertThat(e.text())
        .contains("[critical] MX_REMOVED mx2.example.org")
        .contains("before: 20 mx2.example.org")
        .contains("since:  2026-11-23T09:55:00Z, confirmed by 2 consecutive checks at 2026-11-23T10:00:00Z")
        .contains("[warning] SPF_CHANGED spf")
        .contains("mxwatch ack example.org --config /etc/mxwatch/mxwatch.yaml --reason")
        .contains("Details: https://mxwatch.example.net/domains/example.org")
        .contains("JSON: https://mxwatch.example.net/api/domains/example.org");
    assertThat(e.html()).contains("<a href=\"https://mxwatch.example.net/domains/example.org\">").contains("before: <code>20 mx2.example.org</code>");
  }

  @Test
  void anMxChangeSaysHowFarItHasPropagatedOverTheNameservers() {
    Alert removed = alert("MX_REMOVED", Severity.CRITICAL, "mx2.example.org", "20 mx2.example.org", "absent");
    Notification n = new Notification("example.org", Notification.Kind.FIRING, List.of(removed), List.of(), T0.plusSeconds(30), 1, T0);
    String note = "in progress: served by ns1.example.org (192.0.2.53); ns2.example.org (198.51.100.53) still serves <b>10 mx1.example.org, 20 mx2.example.org</b>";
    AlertRepository.Confirmation c = new AlertRepository.Confirmation("MX_REMOVED", "mx2.example.org", T0.minusSeconds(300), T0, note);

    Email e = new EmailComposer().compose(n, ctx(null, List.of(c)));

    assertThat(e.text()).contains("nameservers: " + note);
    assertThat(e.html()).contains("nameservers: <code>in progress: served by ns1.example.org").contains("&lt;b&gt;10 mx1").doesNotContain("<b>10 mx1");
    Email without = new EmailComposer().compose(n, ctx(null, List.of(new AlertRepository.Confirmation("MX_REMOVED", "mx2.example.org", T0.minusSeconds(300), T0))));
    assertThat(without.text()).doesNotContain("nameservers:");
  }

  @Test
  void failingLookupsAndMismatchesSayTheyCannotBeApproved() {
    Alert failing = alert("DNS_LOOKUP_FAILING", Severity.WARNING, "dns", "answering", "failing");
    Notification n = new Notification("example.org", Notification.Kind.FIRING, List.of(failing), List.of(), T0, 1, T0);
    Email e = new EmailComposer().compose(n, ctx(null, List.of()));
    assertThat(e.subject()).isEqualTo("[mxwatch] WARNING example.org: DNS lookups failing");
    assertThat(e.text()).doesNotContain("mxwatch ack").contains("cannot be approved");
    assertThat(e.inReplyTo()).isNull();
  }

  @Test
  void moreAlertsThanFitAreCountedNotListed() {
    List<Alert> many = new java.util.ArrayList<>();
    for (int i = 0; i < 120; i++) {
      many.add(alert("MX_ADDED", Severity.WARNING, "mx" + i + ".example.org", "absent", "10 mx" + i + ".example.org"));
    }
    Email e = new EmailComposer().compose(new Notification("example.org", Notification.Kind.FIRING, many, List.of(), T0, 1, T0), ctx(null, List.of()));
    assertThat(e.subject()).endsWith("(+119 more)");
    assertThat(e.text()).contains("… and 70 more").doesNotContain("mx60.example.org");
  }

  @Test
  void aHostileBannerAndRecordCannotInjectHeadersOrMarkupOrFloodTheEmail() throws Exception {
    TreeMap<String, DomainState.Smtp> smtp = new TreeMap<>();
    smtp.put("127.0.0.1", DomainState.Smtp.of(true, HOSTILE));
    DomainState current = new DomainState(new DomainState.Mx("mx", List.of()), List.of(), List.of(), smtp, List.of());
    Alert banner = alert("SMTP_BANNER_CHANGED", Severity.WARNING, "127.0.0.1\r\nX-Injected: yes", "220 mx ESMTP", HOSTILE);
    Alert dmarc = alert("DMARC_CHANGED", Severity.CRITICAL, "dmarc", "v=DMARC1; p=reject", HOSTILE);
    Notification n = new Notification("example.org", Notification.Kind.FIRING, List.of(dmarc, banner), List.of(), T0, 1, T0);
    Email email = new EmailComposer().compose(n, ctx(current, List.of()));

    GreenMail relay = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
    relay.start();
    try {
      MxwatchConfig.Relay settings = new MxwatchConfig.Relay("127.0.0.1", relay.getSmtp().getPort(), MxwatchConfig.Tls.NONE, true, null, null, Duration.ofSeconds(5));
      // the subject carries the banner change's subject, which has CR/LF in it
      Email withHostileSubject =
          new EmailComposer().compose(new Notification("example.org", Notification.Kind.FIRING, List.of(banner), List.of(), T0, 1, T0), ctx(current, List.of()));
      assertThat(new RelaySender(settings, "mxwatch@alerts.test").send(email)).isInstanceOf(Delivery.Accepted.class);
      assertThat(new RelaySender(settings, "mxwatch@alerts.test").send(withHostileSubject)).isInstanceOf(Delivery.Accepted.class);
      MimeMessage[] got = relay.getReceivedMessages();
      assertThat(got).as("no Bcc smuggled in: only the one recipient got each").hasSize(2);
      for (MimeMessage m : got) {
        assertThat(m.getHeader("Bcc")).isNull();
        assertThat(m.getHeader("X-Injected")).isNull();
        assertThat(Collections.list(m.getAllHeaderLines()).stream().filter(h -> h.startsWith("Subject:"))).hasSize(1);
        assertThat(m.getSubject()).doesNotContain("\r").doesNotContain("\n").hasSizeLessThan(300);
        String text = part(m, 0);
        String html = part(m, 1);
        assertThat(html).doesNotContain("<script>").doesNotContain("<a href=\"http://evil\">").contains("&lt;script&gt;");
        assertThat(text).doesNotContain("\nBcc: ").contains("\\r\\nBcc: victim@example.net");
        assertThat(text.length()).as("100 KB of banner cut to a readable length").isLessThan(8_000);
        assertThat(html.length()).isLessThan(12_000);
        assertThat(text).contains("more characters)");
      }
      assertThat(got[1].getSubject()).startsWith("[mxwatch] WARNING example.org: 127.0.0.1\\r\\nX-Injected: yes banner changed");
    } finally {
      relay.stop();
    }
  }
}
