package io.mxwatch.http;

import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.web.WebPages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The daemon's one HTTP listener (Jetty): {@code /metrics}, {@code /-/healthy}, {@code /-/ready},
 * {@code /-/reload} and the JSON API under {@code /api/}. Reads are open to whoever reaches the
 * port; writes need the configured bearer token.
 *
 * <p>A slow or abusive client costs at most its own connection: Jetty reads request heads without
 * holding a thread, a head must arrive whole within {@link Limits#headerTimeout}, an idle
 * connection closes after {@link Limits#idleTimeout}, and connections, head and body sizes and
 * worker threads are capped.
 */
public final class HttpApi implements AutoCloseable {
  /**
   * What bounds the listener.
   *
   * @param maxConnections connections open at once; further ones wait in the listen backlog
   * @param headerTimeout the longest a request head (request line and headers) may take to arrive
   * @param idleTimeout the longest a connection may stay silent (between requests, or mid-body)
   * @param maxHeaderBytes the largest request head; larger ones get 431
   * @param threads worker threads (Jetty's selector and acceptor included); requests beyond them
   *     wait, at most one per connection
   * @param stopTimeout how long a stop waits for the requests under way
   */
  public record Limits(
      int maxConnections, Duration headerTimeout, Duration idleTimeout, int maxHeaderBytes, int threads, Duration stopTimeout) {
    public static Limits defaults() {
      return new Limits(4096, Duration.ofSeconds(10), Duration.ofSeconds(30), 16 * 1024, 16, Duration.ofSeconds(5));
    }
  }

  /**
   * What the endpoints read from and act on.
   *
   * @param reload asks the daemon to re-read its configuration file as SIGHUP does; completes when
   *     it was applied, exceptionally with the reason when it was rejected
   */
  public record Backend(
      Metrics metrics,
      HistoryStore history,
      AlertStore alerts,
      Supplier<MxwatchConfig> config,
      Clock clock,
      Health health,
      Supplier<CompletableFuture<Void>> reload) {}

  /** Whether the daemon can do its work. */
  @FunctionalInterface
  public interface Health {
    /** Why it cannot; empty when it is ready. */
    List<String> problems();
  }

  private final Server server;
  private final ServerConnector connector;
  private final InetSocketAddress address;

  private HttpApi(Server server, ServerConnector connector, InetSocketAddress address) {
    this.server = server;
    this.connector = connector;
    this.address = address;
  }

  /**
   * Listens on {@code address} (port 0: any free port).
   *
   * @throws IOException when it cannot listen there (address in use, not a local address)
   */
  public static HttpApi start(InetSocketAddress address, Backend backend) throws IOException {
    return start(address, backend, Limits.defaults());
  }

  /** As {@link #start(InetSocketAddress, Backend)}, with other bounds. */
  public static HttpApi start(InetSocketAddress address, Backend backend, Limits limits) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(limits.threads(), 2, 60_000);
    threads.setName("mxwatch-http");
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    Server server = new Server(threads);
    server.setStopAtShutdown(false); // the daemon stops it, in its order
    server.setStopTimeout(limits.stopTimeout().toMillis());

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    http.setMinRequestDataRate(1024); // a body trickled slower than 1 kB/s is cut
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getAddress().getHostAddress());
    connector.setPort(address.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(128);
    connector.setReuseAddress(true);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    HeaderDeadline deadline = new HeaderDeadline(connector, limits.headerTimeout());
    server.addBean(deadline);

    ErrorHandler errors = new ErrorHandler();
    errors.setShowStacks(false);
    errors.setShowMessageInTitle(false);
    server.setErrorHandler(errors);
    // the pages for people first (they take only their own paths), then the API
    WebPages pages = new WebPages(
        new WebPages.Backend(backend.history(), backend.alerts(), backend.metrics() == null ? null : backend.metrics().domains(), backend.config(), backend.clock()));
    server.setHandler(new GracefulHandler(new Handler.Sequence(pages, new Router(backend))));
    try {
      server.start();
    } catch (IOException e) {
      stopQuietly(server);
      throw e;
    } catch (Exception e) {
      stopQuietly(server);
      throw new IOException(e.getMessage(), e);
    }
    return new HttpApi(server, connector, new InetSocketAddress(address.getAddress(), connector.getLocalPort()));
  }

  /** Where it listens (with the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return address;
  }

  /** Connections open now (tests). */
  int connections() {
    return connector.getConnectedEndPoints().size();
  }

  /** Stops listening, lets the requests under way finish (up to the stop timeout), then closes. */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(HttpApi.class).warn("the HTTP listener did not stop cleanly: {}", e.toString());
    }
  }
}
