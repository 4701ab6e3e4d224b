package io.mxwatch.http;

import com.sun.net.httpserver.HttpServer;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The daemon's one HTTP listener (the JDK's built-in server): {@code /metrics}, {@code /-/healthy},
 * {@code /-/ready}, {@code /-/reload} and the JSON API under {@code /api/}. Reads are open to
 * whoever reaches the port; writes need the configured bearer token.
 */
public final class HttpApi implements AutoCloseable {
  /** Requests handled at once; more wait in the listen backlog. */
  private static final int THREADS = 4;

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

  private final HttpServer server;
  private final ExecutorService workers;

  private HttpApi(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /**
   * Listens on {@code address} (port 0: any free port).
   *
   * @throws IOException when it cannot listen there (address in use, not a local address)
   */
  public static HttpApi start(InetSocketAddress address, Backend backend) throws IOException {
    HttpServer server = HttpServer.create(address, 64);
    AtomicInteger n = new AtomicInteger();
    ExecutorService workers =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "mxwatch-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(workers);
    server.createContext("/", new Router(backend));
    server.start();
    return new HttpApi(server, workers);
  }

  /** Where it listens (with the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
