package io.mxwatch.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mxwatch.audit.Severity;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.testing.ScriptedRelay;
import io.mxwatch.testing.StartTlsFront;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay sender against GreenMail and scripted relays on loopback: TLS modes, AUTH, refusals. */
class RelaySenderTest {
  static final String FROM = "mxwatch@alerts.test";
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private GreenMail greenMail;

  @AfterEach
  void stop() {
    if (greenMail != null) {
      greenMail.stop();
    }
  }

  static Email email(List<String> to) {
    Alert a = new Alert(new AlertKey("example.org", "MX_REMOVED", "mx2.example.org"), Severity.CRITICAL, "20 mx2.example.org", "absent", T0, false);
    Notification n = new Notification("example.org", Notification.Kind.FIRING, List.of(a), List.of(), T0, 1, T0);
    return new EmailComposer().compose(n, new EmailComposer.Context("default", to, FROM, null, null, 2, null, List.of(), List.of()));
  }

  static MxwatchConfig.Relay relay(int port, MxwatchConfig.Tls tls, boolean verify, String user, String password) {
    return new MxwatchConfig.Relay(
        "127.0.0.1", port, tls, verify, user, password == null ? null : new MxwatchConfig.Secret(password), Duration.ofSeconds(5));
  }

  private GreenMail greenMail(String protocol) {
    greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", protocol)).withConfiguration(GreenMailConfiguration.aConfig().withUser("oncall@example.net", "mxwatch", "s3cret"));
    greenMail.start();
    return greenMail;
  }

  private int port() {
    return greenMail.getSmtp() != null ? greenMail.getSmtp().getPort() : greenMail.getSmtps().getPort();
  }

  @Test
  void implicitTlsWithAuthDeliversTheEmailWithItsMessageIdAndHeaders() throws Exception {
    greenMail("smtps");
    Email email = email(List.of("oncall@example.net"));
    Delivery d = new RelaySender(relay(port(), MxwatchConfig.Tls.TLS, false, "mxwatch", "s3cret"), FROM).send(email);

    assertThat(d).isInstanceOf(Delivery.Accepted.class);
    assertThat(((Delivery.Accepted) d).reply()).startsWith("250");
    MimeMessage m = greenMail.getReceivedMessages()[0];
    assertThat(m.getMessageID()).isEqualTo(email.messageId()).isEqualTo("<" + T0.toEpochMilli() + ".1.default.example.org@alerts.test>");
    assertThat(m.getSubject()).isEqualTo("[mxwatch] CRITICAL example.org: MX mx2.example.org removed");
    assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
    assertThat(m.getHeader("X-Mxwatch-Domain")).containsExactly("example.org");
    assertThat(m.getHeader("X-Mxwatch-Severity")).containsExactly("critical");
    assertThat(m.getSentDate().toInstant()).isEqualTo(T0);
    assertThat(m.getContentType()).startsWith("multipart/alternative");
  }

  @Test
  void aWrongPasswordIsRetriedNotDropped() {
    greenMail("smtps");
    Delivery d = new RelaySender(relay(port(), MxwatchConfig.Tls.TLS, false, "mxwatch", "wrong"), FROM).send(email(List.of("oncall@example.net")));
    assertThat(d).isInstanceOfSatisfying(Delivery.Retry.class, r -> assertThat(r.error()).contains("refused the login of mxwatch"));
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void certificatesAreVerifiedByDefaultSoASelfSignedRelayIsNotTrusted() {
    greenMail("smtps");
    Delivery d = new RelaySender(relay(port(), MxwatchConfig.Tls.TLS, true, "mxwatch", "s3cret"), FROM).send(email(List.of("oncall@example.net")));
    assertThat(d).isInstanceOfSatisfying(Delivery.Retry.class, r -> assertThat(r.error()).containsIgnoringCase("cert"));
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void starttlsUpgradesTheConnectionBeforeAuthAndData() throws Exception {
    greenMail("smtp");
    try (StartTlsFront front = new StartTlsFront(port())) {
      Delivery d =
          new RelaySender(relay(front.port(), MxwatchConfig.Tls.STARTTLS, false, "mxwatch", "s3cret"), FROM).send(email(List.of("oncall@example.net")));
      assertThat(d).isInstanceOf(Delivery.Accepted.class);
      assertThat(front.upgrades()).isEqualTo(1);
      assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }
  }

  @Test
  void starttlsIsRequiredARelayWithoutItGetsNothingInPlainText() {
    greenMail("smtp");
    Delivery d = new RelaySender(relay(port(), MxwatchConfig.Tls.STARTTLS, false, null, null), FROM).send(email(List.of("oncall@example.net")));
    assertThat(d).isInstanceOfSatisfying(Delivery.Retry.class, r -> assertThat(r.error()).contains("STARTTLS"));
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void aRecipientRefusedWith5xxIsReportedWhileTheOthersGetTheEmail() throws Exception {
    try (ScriptedRelay relay = new ScriptedRelay()) {
      Delivery d =
          new RelaySender(relay(relay.port(), MxwatchConfig.Tls.NONE, true, null, null), FROM)
              .send(email(List.of("oncall@example.net", "reject5-gone@example.net")));
      assertThat(d).isInstanceOfSatisfying(Delivery.Accepted.class, a -> assertThat(a.rejected()).singleElement().asString().contains("reject5-gone@example.net").contains("550"));
      assertThat(relay.received()).singleElement().satisfies(r -> assertThat(r.recipients()).containsExactly("oncall@example.net"));
    }
  }

  @Test
  void anEmailTheRelayAcceptedIsDeliveredEvenWhenItResetsTheConnectionAtQuit() throws Exception {
    try (ScriptedRelay relay = new ScriptedRelay()) {
      Delivery d =
          new RelaySender(relay(relay.port(), MxwatchConfig.Tls.NONE, true, null, null), FROM).send(email(List.of("resetquit-oncall@example.net")));
      assertThat(d).as("the relay answered 250 to the data: sending again would page twice").isInstanceOf(Delivery.Accepted.class);
      assertThat(relay.received()).hasSize(1);
    }
  }

  @Test
  void theRelaysAnswerIsHandedOverBeforeQuitSoTheSentMarkIsWrittenWhileTheConnectionIsOpen() throws Exception {
    try (ScriptedRelay relay = new ScriptedRelay()) {
      java.util.List<Integer> quitsWhenRecorded = new java.util.ArrayList<>();
      java.util.List<Delivery> recorded = new java.util.ArrayList<>();
      Delivery d =
          new RelaySender(relay(relay.port(), MxwatchConfig.Tls.NONE, true, null, null), FROM)
              .send(
                  email(List.of("oncall@example.net")),
                  answer -> {
                    recorded.add(answer);
                    quitsWhenRecorded.add(relay.quits());
                  });

      assertThat(recorded).containsExactly(d);
      assertThat(d).isInstanceOf(Delivery.Accepted.class);
      assertThat(quitsWhenRecorded).as("no QUIT sent yet when the answer was recorded").containsExactly(0);
      assertThat(relay.quits()).isEqualTo(1);
    }
  }

  @Test
  void everyRecipientRefusedWith5xxIsPermanentWith4xxItIsRetried() throws Exception {
    try (ScriptedRelay relay = new ScriptedRelay()) {
      RelaySender sender = new RelaySender(relay(relay.port(), MxwatchConfig.Tls.NONE, true, null, null), FROM);
      assertThat(sender.send(email(List.of("reject5-a@example.net")))).isInstanceOf(Delivery.Rejected.class);
      assertThat(sender.send(email(List.of("reject4-a@example.net")))).isInstanceOfSatisfying(Delivery.Retry.class, r -> assertThat(r.relayDown()).isFalse());
      assertThat(relay.received()).isEmpty();
    }
  }

  @Test
  void aRelayThatIsDownIsRetriedAndMarkedDown() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Delivery d = new RelaySender(relay(closed, MxwatchConfig.Tls.NONE, true, null, null), FROM).send(email(List.of("oncall@example.net")));
    assertThat(d).isInstanceOfSatisfying(Delivery.Retry.class, r -> assertThat(r.relayDown()).isTrue());
  }
}
