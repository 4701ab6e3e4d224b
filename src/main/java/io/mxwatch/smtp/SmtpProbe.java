package io.mxwatch.smtp;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Locale;

/**
 * What one probe of one exchange address found. Every variant is a value: a refused connection is
 * as much a result as a greeting. Text received from the server is stored escaped (printable
 * ASCII, anything else as {@code \xNN}) and bounded in length, so it is safe to log and render.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SmtpProbe.Ok.class, name = "ok"),
  @JsonSubTypes.Type(value = SmtpProbe.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = SmtpProbe.BadGreeting.class, name = "bad_greeting"),
  @JsonSubTypes.Type(value = SmtpProbe.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = SmtpProbe.TimedOut.class, name = "timeout"),
  @JsonSubTypes.Type(value = SmtpProbe.Reset.class, name = "reset"),
  @JsonSubTypes.Type(value = SmtpProbe.Failed.class, name = "error"),
  @JsonSubTypes.Type(value = SmtpProbe.Denied.class, name = "denied"),
})
public sealed interface SmtpProbe {

  /** The probed IP address, in its textual form. */
  String address();

  int port();

  /** Wall time of the whole probe, in milliseconds. */
  double elapsedMs();

  /** Every {@link #outcome()} label, for meters that exist before the first probe of each kind. */
  List<String> OUTCOMES = List.of("ok", "rejected", "bad_greeting", "refused", "timeout", "reset", "error", "denied");

  /** The label of this outcome in reports: ok, rejected, bad_greeting, refused, timeout, reset, error, denied. */
  default String outcome() {
    return switch (this) {
      case Ok o -> "ok";
      case Rejected r -> "rejected";
      case BadGreeting b -> "bad_greeting";
      case Refused r -> "refused";
      case TimedOut t -> "timeout";
      case Reset r -> "reset";
      case Failed f -> "error";
      case Denied d -> "denied";
    };
  }

  /** A 220 greeting: the server is ready to take mail. */
  default boolean accepting() {
    return this instanceof Ok;
  }

  /** No SMTP conversation was possible (no connection, no greeting, or the connection dropped). */
  default boolean unreachable() {
    return switch (this) {
      case Ok o -> false;
      case Rejected r -> false;
      case BadGreeting b -> false;
      case Refused r -> true;
      case TimedOut t -> true;
      case Reset r -> true;
      case Failed f -> true;
      case Denied d -> true; // from the internet, where senders are
    };
  }

  /** Where a probe stopped. */
  enum Phase {
    CONNECT,
    GREETING,
    EHLO;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The server greeted with 220. {@code ehloCode} is the EHLO reply code (0 when the reply was
   * malformed), {@code extensions} the EHLO keywords with their parameters, {@code tls} the
   * STARTTLS handshakes made (none when STARTTLS was not offered or handshakes are off): the one a
   * sender gets, then one restricted to the other key type (RSA or ECDSA).
   */
  record Ok(
      String address,
      int port,
      double elapsedMs,
      double connectMs,
      double greetingMs,
      List<String> greeting,
      int ehloCode,
      List<String> extensions,
      List<io.mxwatch.tls.TlsResult> tls)
      implements SmtpProbe {
    public Ok {
      greeting = List.copyOf(greeting);
      extensions = List.copyOf(extensions);
      tls = tls == null ? List.of() : List.copyOf(tls); // snapshots stored before handshakes have none
    }

    /** The handshake a sender gets ({@code any}), when one was made. */
    public io.mxwatch.tls.TlsResult senderHandshake() {
      return tls.isEmpty() ? null : tls.getFirst();
    }

    /** Whether EHLO advertised STARTTLS. */
    public boolean startTls() {
      return extensions.stream()
          .anyMatch(e -> e.equalsIgnoreCase("STARTTLS") || e.toUpperCase(Locale.ROOT).startsWith("STARTTLS "));
    }
  }

  /** The server greeted with a 4xx or 5xx code (554: "no SMTP service here"). */
  record Rejected(String address, int port, double elapsedMs, int code, List<String> greeting)
      implements SmtpProbe {
    public Rejected {
      greeting = List.copyOf(greeting);
    }
  }

  /** The server sent something that is not an SMTP greeting, or too much of it. */
  record BadGreeting(String address, int port, double elapsedMs, String reason, List<String> greeting)
      implements SmtpProbe {
    public BadGreeting {
      greeting = List.copyOf(greeting);
    }
  }

  /** The connection was refused: nothing listens there. */
  record Refused(String address, int port, double elapsedMs, String detail) implements SmtpProbe {}

  /** No connection, greeting or reply in time. {@code greeting} holds what arrived before. */
  record TimedOut(String address, int port, double elapsedMs, Phase phase, List<String> greeting)
      implements SmtpProbe {
    public TimedOut {
      greeting = List.copyOf(greeting);
    }
  }

  /** The server reset or closed the connection before the conversation was over. */
  record Reset(
      String address, int port, double elapsedMs, Phase phase, String detail, List<String> greeting)
      implements SmtpProbe {
    public Reset {
      greeting = List.copyOf(greeting);
    }
  }

  /** Any other failure: no route, network unreachable, a local error. */
  record Failed(String address, int port, double elapsedMs, String detail) implements SmtpProbe {}

  /**
   * Not probed: the address is in a range of {@code smtp.deny} (loopback, private, link-local, ...
   * by default), which no sender on the internet can reach.
   *
   * @param range the range, as {@code 10.0.0.0/8 (private)}
   */
  record Denied(String address, int port, double elapsedMs, String range) implements SmtpProbe {}
}
