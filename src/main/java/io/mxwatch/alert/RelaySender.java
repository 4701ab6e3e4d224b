package io.mxwatch.alert;

import io.mxwatch.config.MxwatchConfig;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends alert emails through the configured relay with Jakarta Mail (Eclipse Angus): STARTTLS
 * required, implicit TLS or, only when configured, plain; certificates and the relay's name
 * verified unless switched off; AUTH when a username is set. One connection per email, so a
 * relay that went away is noticed at once.
 */
public final class RelaySender {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RelaySender.class);
  private final MxwatchConfig.Relay relay;
  private final String from;
  private final Session session;

  public RelaySender(MxwatchConfig.Relay relay, String from) {
    this.relay = relay;
    this.from = from;
    this.session = Session.getInstance(properties(relay, from));
  }

  static Properties properties(MxwatchConfig.Relay relay, String from) {
    Properties p = new Properties();
    String timeout = Long.toString(relay.timeout().toMillis());
    p.put("mail.transport.protocol", "smtp");
    p.put("mail.smtp.host", relay.host());
    p.put("mail.smtp.port", Integer.toString(relay.port()));
    p.put("mail.smtp.connectiontimeout", timeout);
    p.put("mail.smtp.timeout", timeout);
    p.put("mail.smtp.writetimeout", timeout);
    p.put("mail.smtp.from", from);
    p.put("mail.smtp.sendpartial", "true");
    p.put("mail.smtp.auth", Boolean.toString(relay.username() != null));
    switch (relay.tls()) {
      case STARTTLS -> {
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
      }
      case TLS -> p.put("mail.smtp.ssl.enable", "true");
      case NONE -> p.put("mail.smtp.starttls.enable", "false");
    }
    if (relay.verifyCertificates()) {
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    } else {
      p.put("mail.smtp.ssl.trust", "*");
      p.put("mail.smtp.ssl.checkserveridentity", "false");
    }
    return p;
  }

  /** Sends {@code email} once and says how it went; never throws for what the relay or network did. */
  public Delivery send(Email email) {
    return send(email, d -> {});
  }

  /**
   * As {@link #send(Email)}, handing the relay's answer to {@code record} as soon as it is known,
   * before QUIT: the caller marks the email sent while the connection is still open, so the
   * moment between the relay taking the email and mxwatch knowing it is as short as it can be.
   */
  public Delivery send(Email email, java.util.function.Consumer<Delivery> record) {
    MimeMessage message;
    try {
      message = message(email);
    } catch (MessagingException e) {
      Delivery d = new Delivery.Rejected("the email could not be built: " + e.getMessage());
      record.accept(d);
      return d;
    }
    SMTPTransport t;
    try {
      t = (SMTPTransport) session.getTransport("smtp");
    } catch (MessagingException e) {
      Delivery d = new Delivery.Retry("no SMTP transport: " + cause(e), false);
      record.accept(d);
      return d;
    }
    try {
      Delivery d = exchange(t, message);
      record.accept(d);
      return d;
    } finally {
      quit(t);
    }
  }

  /** Connects, logs in and hands the email over: the relay's answer to the data is the result. */
  private Delivery exchange(SMTPTransport t, MimeMessage message) {
    try {
      t.connect(relay.host(), relay.port(), relay.username(), relay.password() == null ? null : relay.password().value());
    } catch (AuthenticationFailedException e) {
      return new Delivery.Retry("the relay refused the login of " + relay.username() + ": " + oneLine(e.getMessage()), true);
    } catch (MessagingException e) {
      return new Delivery.Retry("connecting to the relay " + relay.host() + ":" + relay.port() + " failed: " + cause(e), true);
    }
    try {
      t.sendMessage(message, message.getAllRecipients());
      return new Delivery.Accepted(oneLine(t.getLastServerResponse()), List.of());
    } catch (SendFailedException e) {
      return outcome(e, t);
    } catch (MessagingException e) {
      return new Delivery.Retry("sending to the relay failed: " + cause(e), false);
    }
  }

  /**
   * Says QUIT and closes. What the relay answered to the data stands whatever happens here: a
   * relay that accepted the email and then resets, or is slow to answer QUIT, has the email, and
   * sending it again would page twice.
   */
  private static void quit(SMTPTransport t) {
    try {
      t.close();
    } catch (MessagingException e) {
      log.debug("closing the relay connection failed after its answer: {}", cause(e));
    }
  }

  /** A send that failed in part or in whole, judged per recipient: 5xx is for good, anything else may pass later. */
  private static Delivery outcome(SendFailedException e, SMTPTransport t) {
    Address[] sent = e.getValidSentAddresses();
    List<String> refused = new ArrayList<>();
    boolean temporary = false;
    for (Exception next = e; next != null; next = next instanceof MessagingException m ? m.getNextException() : null) {
      if (next instanceof SMTPAddressFailedException a) {
        refused.add(a.getAddress() + " (" + oneLine(a.getMessage()) + ")");
        temporary |= a.getReturnCode() / 100 != 5;
      } else if (next instanceof SMTPSenderFailedException s) {
        return permanentOr(s.getReturnCode(), "the relay refused the sender " + s.getAddress() + ": " + oneLine(s.getMessage()));
      } else if (next instanceof SMTPSendFailedException f && next != e) {
        return permanentOr(f.getReturnCode(), "the relay refused the email: " + oneLine(f.getMessage()));
      }
    }
    if (e instanceof SMTPSendFailedException f && refused.isEmpty()) {
      return permanentOr(f.getReturnCode(), "the relay refused the email: " + oneLine(f.getMessage()));
    }
    if (sent != null && sent.length > 0) {
      return new Delivery.Accepted(oneLine(t.getLastServerResponse()), refused);
    }
    String error = "the relay refused every recipient: " + String.join(", ", refused);
    return temporary || refused.isEmpty() ? new Delivery.Retry(error, false) : new Delivery.Rejected(error);
  }

  private static Delivery permanentOr(int code, String error) {
    return code / 100 == 5 ? new Delivery.Rejected(error) : new Delivery.Retry(error, false);
  }

  /** The email as MIME: multipart/alternative (text, then HTML), with the stored Message-ID and Date. */
  MimeMessage message(Email email) throws MessagingException {
    MimeMessage m = new FixedIdMessage(session, email.messageId());
    m.setFrom(new InternetAddress(from, true));
    List<InternetAddress> to = new ArrayList<>();
    for (String address : email.to()) {
      to.add(new InternetAddress(address, true));
    }
    m.setRecipients(Message.RecipientType.TO, to.toArray(InternetAddress[]::new));
    m.setSubject(email.subject(), StandardCharsets.UTF_8.name());
    m.setSentDate(Date.from(email.createdAt()));
    m.setHeader("Auto-Submitted", "auto-generated");
    m.setHeader("X-Auto-Response-Suppress", "All");
    m.setHeader("X-Mxwatch-Domain", email.domain());
    m.setHeader("X-Mxwatch-Severity", email.severity().label());
    m.setHeader("X-Mxwatch-Status", email.kind().name().toLowerCase(Locale.ROOT));
    if (email.inReplyTo() != null) {
      m.setHeader("In-Reply-To", email.inReplyTo());
      m.setHeader("References", email.inReplyTo());
    }
    MimeBodyPart text = new MimeBodyPart();
    text.setText(email.text(), StandardCharsets.UTF_8.name(), "plain");
    MimeBodyPart html = new MimeBodyPart();
    html.setText(email.html(), StandardCharsets.UTF_8.name(), "html");
    MimeMultipart alternative = new MimeMultipart("alternative");
    alternative.addBodyPart(text);
    alternative.addBodyPart(html);
    m.setContent(alternative);
    m.saveChanges();
    return m;
  }

  /** Keeps the Message-ID it was given instead of making a new one on every save. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", id);
    }
  }

  private static String cause(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = oneLine(e.getMessage());
    return root == e ? message : message + " (" + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage()) + ")";
  }

  private static String oneLine(String s) {
    return s == null ? "" : Untrusted.header(s, 500);
  }
}
