package io.mxwatch.tls;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Fetches MTA-STS policies as RFC 8461 §3.3 says senders do: {@code
 * https://mta-sts.<domain>/.well-known/mta-sts.txt}, a certificate valid for that host (the
 * configured roots), 200 only, no redirect followed, at most 64 KiB, {@code text/plain}, within a
 * timeout. It connects only to the addresses it is given for the policy host (looked up by the
 * check with its own resolver, the deny-list applied), on port 443; never through the system
 * resolver. One HTTP client for the process, on Jetty.
 */
public final class MtaStsFetcher implements AutoCloseable {
  /** RFC 8461 §3.3: senders may refuse larger policies. */
  public static final int MAX_BYTES = 64 * 1024;

  private final X509TrustManager trust;
  private final int port;
  private final Duration timeout;
  /** The addresses of each policy host being fetched, handed to Jetty by the resolver below. */
  private final Map<String, List<InetSocketAddress>> addresses = new ConcurrentHashMap<>();
  /**
   * Started at the first fetch: most domains publish no MTA-STS record, and a check of those
   * should not pay for Jetty's and TLS's start (a third of a second of a one-shot check's start).
   */
  private HttpClient client;
  private boolean closed;

  /**
   * @param trust the roots a policy host's certificate must chain to
   * @param port 443 in production (tests serve policies on another loopback port)
   * @param timeout the whole fetch, connection included
   */
  public MtaStsFetcher(X509TrustManager trust, int port, Duration timeout) {
    this.trust = trust;
    this.port = port;
    this.timeout = timeout;
  }

  /** Whether the HTTP client has been started (for tests). */
  synchronized boolean started() {
    return client != null;
  }

  /** The HTTP client, started on first use; null once closed. */
  private synchronized HttpClient client() {
    if (client == null && !closed) {
      client = start();
    }
    return client;
  }

  private HttpClient start() {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trust}, null);
      tls.setSslContext(context);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is part of every JDK", e);
    }
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    tls.setEndpointIdentificationAlgorithm("HTTPS");
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(tls);
    connector.setConnectTimeout(timeout);
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setFollowRedirects(false);
    http.setSocketAddressResolver(new Given());
    http.setIdleTimeout(timeout.toMillis());
    http.setDestinationIdleTimeout(10_000); // one destination per watched domain: let them go
    http.setUserAgentField(null);
    http.setName("mxwatch-mta-sts");
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the MTA-STS HTTP client did not start: " + e.getMessage(), e);
    }
    return http;
  }

  /** The policy URL of {@code domain}. */
  public String url(String domain) {
    return "https://mta-sts." + domain + (port == 443 ? "" : ":" + port) + "/.well-known/mta-sts.txt";
  }

  /**
   * Fetches the policy of {@code domain} from {@code hostAddresses} (those of {@code
   * mta-sts.<domain>}, in the order to try). Never completes exceptionally.
   */
  public CompletableFuture<PolicyFetch> fetch(String domain, List<InetAddress> hostAddresses) {
    String url = url(domain);
    long start = System.nanoTime();
    if (hostAddresses.isEmpty()) {
      return CompletableFuture.completedFuture(new PolicyFetch.Failed(url, 0, "dns", "mta-sts." + domain + " has no address"));
    }
    String host = "mta-sts." + domain;
    // each address carries the host's name: TLS sends it as SNI and checks the certificate against it
    addresses.put(host, hostAddresses.stream().map(a -> new InetSocketAddress(named(host, a), port)).toList());
    CompletableFuture<PolicyFetch> result = new CompletableFuture<>();
    try {
      HttpClient http = client();
      if (http == null) {
        addresses.remove(host);
        return CompletableFuture.completedFuture(new PolicyFetch.Failed(url, 0, "connect", "the check is shutting down"));
      }
      http
          .newRequest(url)
          .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .headers(h -> h.put(HttpHeader.CONNECTION, "close").put(HttpHeader.ACCEPT, "text/plain"))
          .send(
              new BufferingResponseListener(MAX_BYTES) {
                @Override
                public void onComplete(Result r) {
                  addresses.remove(host);
                  result.complete(outcome(url, start, r, getContent()));
                }
              });
    } catch (RuntimeException e) {
      addresses.remove(host);
      result.complete(new PolicyFetch.Failed(url, millisSince(start), "connect", Detail.of(e)));
    }
    return result;
  }

  private static PolicyFetch outcome(String url, long start, Result r, byte[] body) {
    double ms = millisSince(start);
    if (r.isFailed()) {
      Throwable failure = r.getFailure();
      String detail = Detail.of(failure);
      String stage =
          detail.contains("capacity exceeded") || detail.contains("Buffering capacity")
              ? "content"
              : failure instanceof java.util.concurrent.TimeoutException ? "timeout" : causedBy(failure, SSLHandshakeException.class) || causedBy(failure, javax.net.ssl.SSLException.class) ? "tls" : "connect";
      return new PolicyFetch.Failed(url, ms, stage, stage.equals("content") ? "larger than " + MAX_BYTES / 1024 + " KiB" : detail);
    }
    int status = r.getResponse().getStatus();
    if (status != 200) {
      String location = r.getResponse().getHeaders().get(HttpHeader.LOCATION);
      return new PolicyFetch.Failed(url, ms, "http", "HTTP " + status + (location == null ? "" : " to " + Detail.bounded(location) + " (redirects are not followed)"));
    }
    String type = r.getResponse().getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("text/plain")) {
      return new PolicyFetch.Failed(url, ms, "content", "Content-Type is " + (type == null ? "missing" : Detail.bounded(type)) + ", not text/plain");
    }
    String text = new String(body, StandardCharsets.UTF_8);
    String address = r.getRequest().getConnection() == null ? null : String.valueOf(r.getRequest().getConnection().getRemoteSocketAddress());
    return new PolicyFetch.Fetched(url, ms, address, CertificateFacts.hex("SHA-256", body), MtaStsPolicy.parse(text));
  }

  private static InetAddress named(String host, InetAddress address) {
    try {
      return InetAddress.getByAddress(host, address.getAddress());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes: " + address, e);
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static double millisSince(long start) {
    return Math.round((System.nanoTime() - start) / 1_000.0) / 1_000.0;
  }

  @Override
  public void close() {
    HttpClient started;
    synchronized (this) {
      closed = true;
      started = client;
    }
    if (started != null) {
      try {
        started.stop();
      } catch (Exception e) {
        // stopping anyway
      }
    }
  }

  /** The addresses the check looked up for the policy host, never the system resolver. */
  private final class Given implements SocketAddressResolver {
    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
      List<InetSocketAddress> given = addresses.get(host.toLowerCase(Locale.ROOT));
      if (given == null || given.isEmpty()) {
        promise.failed(new java.net.UnknownHostException(host + ": no address was looked up for it"));
      } else {
        promise.succeeded(given);
      }
    }
  }

  /** Exception text for reports: the innermost message, printable, bounded. */
  static final class Detail {
    private Detail() {}

    static String of(Throwable e) {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return bounded(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }

    static String bounded(String s) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length() && out.length() < 300; i++) {
        char c = s.charAt(i);
        out.append(c >= 0x20 && c < 0x7f ? c : '?');
      }
      return s.length() > 300 ? out + "…" : out.toString();
    }
  }
}
