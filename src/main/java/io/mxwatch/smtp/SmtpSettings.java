package io.mxwatch.smtp;

import io.mxwatch.net.AddressRanges;
import java.time.Duration;

/**
 * How exchanges are probed.
 *
 * @param port the SMTP port, 25 in production
 * @param heloName the name sent with EHLO
 * @param connectTimeout how long a TCP connect may take
 * @param readTimeout how long the greeting, or any later reply, may take
 * @param deadline how long one probe may take in all, whatever the server does
 * @param maxConcurrent probes running at once over the whole process
 * @param ipv6 whether IPv6 addresses of exchanges are probed
 * @param deny address ranges never probed (by default the special-purpose ranges: loopback,
 *     private, link-local, ...): an exchange there gets a {@link SmtpProbe.Denied}
 * @param tls the STARTTLS handshakes made with exchanges that offer STARTTLS
 */
public record SmtpSettings(
    int port,
    String heloName,
    Duration connectTimeout,
    Duration readTimeout,
    Duration deadline,
    int maxConcurrent,
    boolean ipv6,
    AddressRanges deny,
    Tls tls) {

  /**
   * The STARTTLS handshakes of a probe.
   *
   * @param handshake whether to make one at all (else STARTTLS is only seen in the EHLO list)
   * @param bothKeyTypes whether a second handshake asks for the other key type (RSA or ECDSA),
   *     whose certificate a sender of that type gets: one more connection per address
   * @param trustBundle the PEM bundle of roots served chains are judged against; null for the
   *     JDK's trust store
   * @param mtaSts whether MTA-STS policies are fetched (over HTTPS, judged by the same roots)
   */
  public record Tls(boolean handshake, boolean bothKeyTypes, java.nio.file.Path trustBundle, boolean mtaSts) {
    public static Tls defaults() {
      return new Tls(true, true, null, true);
    }

    public Tls(boolean handshake, boolean bothKeyTypes, java.nio.file.Path trustBundle) {
      this(handshake, bothKeyTypes, trustBundle, true);
    }

    /** The roots served chains (and MTA-STS policy hosts) are judged against. */
    public javax.net.ssl.X509TrustManager trust() {
      return trustBundle == null ? io.mxwatch.tls.TrustStores.system() : io.mxwatch.tls.TrustStores.fromFile(trustBundle);
    }
  }

  public static final int DEFAULT_PORT = 25;
  public static final String DEFAULT_HELO = "mxwatch.invalid";

  public SmtpSettings {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535: " + port);
    }
    if (heloName == null || heloName.isBlank() || !heloName.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
      throw new IllegalArgumentException("bad EHLO name: " + heloName);
    }
    for (Duration d : new Duration[] {connectTimeout, readTimeout, deadline}) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("timeouts must be positive: " + d);
      }
    }
    java.util.Objects.requireNonNull(deny, "deny");
    java.util.Objects.requireNonNull(tls, "tls");
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1: " + maxConcurrent);
    }
  }

  public static SmtpSettings defaults() {
    return new SmtpSettings(
        DEFAULT_PORT,
        DEFAULT_HELO,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        64,
        true,
        AddressRanges.SPECIAL_PURPOSE,
        Tls.defaults());
  }

  public SmtpSettings withPort(int value) {
    return new SmtpSettings(value, heloName, connectTimeout, readTimeout, deadline, maxConcurrent, ipv6, deny, tls);
  }

  public SmtpSettings withHeloName(String value) {
    return new SmtpSettings(port, value, connectTimeout, readTimeout, deadline, maxConcurrent, ipv6, deny, tls);
  }

  public SmtpSettings withTimeouts(Duration connect, Duration read, Duration total) {
    return new SmtpSettings(port, heloName, connect, read, total, maxConcurrent, ipv6, deny, tls);
  }

  public SmtpSettings withMaxConcurrent(int value) {
    return new SmtpSettings(port, heloName, connectTimeout, readTimeout, deadline, value, ipv6, deny, tls);
  }

  /** The address ranges never probed ({@link AddressRanges#NONE}: probe anywhere, as tests on loopback do). */
  public SmtpSettings withDeny(AddressRanges value) {
    return new SmtpSettings(port, heloName, connectTimeout, readTimeout, deadline, maxConcurrent, ipv6, value, tls);
  }

  public SmtpSettings withIpv6(boolean value) {
    return new SmtpSettings(port, heloName, connectTimeout, readTimeout, deadline, maxConcurrent, value, deny, tls);
  }

  public SmtpSettings withTls(Tls value) {
    return new SmtpSettings(port, heloName, connectTimeout, readTimeout, deadline, maxConcurrent, ipv6, deny, value);
  }
}
