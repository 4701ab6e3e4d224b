package io.mxwatch.tls;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS handshake after an accepted STARTTLS, with the JDK's TLS: SNI is the exchange's name,
 * TLS 1.3 and 1.2 are offered (an exchange that insists on 1.0 or 1.1 is reported as such), and
 * whatever chain the server sends is accepted for the handshake, then recorded and checked against
 * the trust store on its own, as a sender that logs rather than refuses would. Each handshake is a
 * full one (no session is resumed), so a replaced certificate is seen at once. It ends by the
 * caller's deadline whatever the peer does: a watchdog closes the socket when time is up.
 */
public final class StartTls {
  /** The key types a handshake can ask for. */
  public enum KeyType {
    /** What a sender gets: every signature scheme offered. */
    ANY,
    /** Only RSA signatures: the RSA certificate of a server that has an ECDSA one too. */
    RSA,
    /** Only ECDSA signatures. */
    ECDSA;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final String[] RSA_SCHEMES = {
    "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pss_pss_sha256", "rsa_pss_pss_sha384",
    "rsa_pss_pss_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", "rsa_pkcs1_sha1"
  };
  private static final String[] ECDSA_SCHEMES = {"ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ecdsa_sha1"};
  private static final Pattern OLD_PROTOCOL = Pattern.compile("protocol version (TLS1[01]|SSL30|TLSv1(?:\\.1)?)\\b");
  /** Longest failure text kept: alerts and exception messages quote the peer. */
  private static final int MAX_DETAIL = 300;

  private final X509TrustManager trust;

  /** @param trust judges the served chains (the system trust store in production) */
  public StartTls(X509TrustManager trust) {
    this.trust = trust;
  }

  /** The outcome, and the TLS socket to say QUIT on when the handshake was made (else null). */
  public record Handshake(TlsResult result, SSLSocket socket) {}

  /**
   * Makes the handshake on {@code plain}, connected to the exchange, whose STARTTLS was just
   * answered with 220.
   *
   * @param serverName the exchange's name, sent as SNI
   * @param deadlineNanos a {@link System#nanoTime()} by which the handshake is over
   */
  public Handshake handshake(Socket plain, String serverName, KeyType type, long deadlineNanos) {
    long start = System.nanoTime();
    String requested = type.label();
    long remaining = deadlineNanos - start;
    if (remaining <= 0) {
      return new Handshake(new TlsResult.Failed(requested, 0, "timeout", "no time left for the TLS handshake", null), null);
    }
    SSLSocket tls;
    Thread watchdog = null;
    try {
      tls = (SSLSocket) context().getSocketFactory().createSocket(plain, serverName, plain.getPort(), true);
      tls.setUseClientMode(true);
      tls.setSSLParameters(parameters(tls.getSSLParameters(), serverName, type));
      tls.setSoTimeout((int) Math.max(1, remaining / 1_000_000));
      SSLSocket closing = tls;
      watchdog = Thread.ofVirtual().start(() -> closeAt(closing, deadlineNanos));
      tls.startHandshake();
    } catch (SocketTimeoutException e) {
      return new Handshake(new TlsResult.Failed(requested, millisSince(start), "timeout", "no TLS handshake in time", null), null);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      String detail = detail(e);
      if (System.nanoTime() - deadlineNanos >= 0) {
        return new Handshake(new TlsResult.Failed(requested, millisSince(start), "timeout", "no TLS handshake in time", null), null);
      }
      return new Handshake(new TlsResult.Failed(requested, millisSince(start), "handshake", detail, oldProtocol(detail)), null);
    } finally {
      if (watchdog != null) {
        watchdog.interrupt();
      }
    }
    SSLSession session = tls.getSession();
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
    } catch (IOException e) {
      // no certificate (an anonymous suite, never enabled here): an empty chain
    }
    List<CertificateFacts> facts = CertificateFacts.ofChain(chain);
    String trustProblem = trustProblem(chain, session);
    return new Handshake(
        new TlsResult.Established(
            requested, millisSince(start), session.getProtocol(), session.getCipherSuite(), facts, trustProblem == null, trustProblem),
        tls);
  }

  /** Why the chain is not trusted (path building, expiry, key usage …), or null when it is. */
  private String trustProblem(List<X509Certificate> chain, SSLSession session) {
    if (chain.isEmpty()) {
      return "no certificate was served";
    }
    try {
      trust.checkServerTrusted(chain.toArray(X509Certificate[]::new), authType(session));
      return null;
    } catch (CertificateException | RuntimeException e) {
      return bounded(rootMessage(e));
    }
  }

  /** The key exchange of a TLS 1.2 suite, as the trust manager's key-usage checks want it. */
  private static String authType(SSLSession session) {
    String suite = session.getCipherSuite();
    if (!suite.startsWith("TLS_") || session.getProtocol().equals("TLSv1.3")) {
      return "UNKNOWN";
    }
    String rest = suite.substring(4);
    int with = rest.indexOf("_WITH_");
    return with > 0 ? rest.substring(0, with) : "UNKNOWN";
  }

  private static SSLParameters parameters(SSLParameters p, String serverName, KeyType type) {
    p.setProtocols(PROTOCOLS);
    p.setEndpointIdentificationAlgorithm(null); // names are checked against every exchange of the address, by the audit
    try {
      p.setServerNames(List.of(new SNIHostName(serverName)));
    } catch (IllegalArgumentException e) {
      // a name that is no SNI host name (an IP literal): no SNI, as senders do
    }
    switch (type) {
      case ANY -> {}
      case RSA -> {
        p.setSignatureSchemes(RSA_SCHEMES);
        p.setCipherSuites(suites(p.getCipherSuites(), "RSA"));
      }
      case ECDSA -> {
        p.setSignatureSchemes(ECDSA_SCHEMES);
        p.setCipherSuites(suites(p.getCipherSuites(), "ECDSA"));
      }
    }
    return p;
  }

  /** TLS 1.3 suites (key-agnostic) and the TLS 1.2 suites authenticated by {@code auth}. */
  private static String[] suites(String[] all, String auth) {
    return Arrays.stream(all)
        .filter(s -> !s.contains("_WITH_") || s.startsWith("TLS_ECDHE_" + auth + "_") || auth.equals("RSA") && (s.startsWith("TLS_DHE_RSA_") || s.startsWith("TLS_RSA_")))
        .toArray(String[]::new);
  }

  /** A fresh context for each handshake: nothing is resumed, every certificate is seen. */
  private static SSLContext context() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new AcceptEveryChain()}, null);
    return context;
  }

  private static void closeAt(SSLSocket socket, long deadlineNanos) {
    try {
      long wait = deadlineNanos - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      socket.close(); // the handshake was still going on: time is up
    } catch (InterruptedException e) {
      // the handshake ended in time
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** The protocol an exchange insisted on when it is older than TLS 1.2 ({@code TLSv1}, {@code TLSv1.1}). */
  static String oldProtocol(String detail) {
    Matcher m = OLD_PROTOCOL.matcher(detail);
    if (!m.find()) {
      return null;
    }
    return switch (m.group(1)) {
      case "TLS10", "TLSv1" -> "TLSv1";
      case "TLS11", "TLSv1.1" -> "TLSv1.1";
      default -> "SSLv3";
    };
  }

  private static String detail(Throwable e) {
    return bounded(rootMessage(e));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return e == t || e.getMessage() == null ? m : e.getMessage().equals(m) ? m : e.getMessage() + ": " + m;
  }

  private static String bounded(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < MAX_DETAIL; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > MAX_DETAIL ? out + "…" : out.toString();
  }

  private static double millisSince(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000.0;
  }

  /**
   * Accepts the chain so that the handshake completes; it is judged afterwards, and recorded. An
   * extended trust manager, so that the JDK adds no checks of its own around it.
   */
  private static final class AcceptEveryChain extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
