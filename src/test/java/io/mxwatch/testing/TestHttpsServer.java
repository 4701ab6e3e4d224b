package io.mxwatch.testing;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An HTTPS server inside the test JVM (Jetty), on a loopback address and port, that serves what a
 * test says: an MTA-STS policy host that behaves or misbehaves (a redirect, 404, too large, the
 * wrong type, slow, a certificate of the wrong name). It records the paths asked for.
 */
public final class TestHttpsServer implements AutoCloseable {
  /** What one request gets. */
  public record Reply(int status, String contentType, String body, String location, Duration delay) {
    public static Reply policy(String body) {
      return new Reply(200, "text/plain", body, null, Duration.ZERO);
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private volatile Reply reply;

  /**
   * @param certs the certificate for each handshake, by (SNI name, key type), as {@link TestCa#serverContext}
   */
  public TestHttpsServer(InetAddress bind, int port, BiFunction<String, TestCa.Key, TestCa.Leaf> certs, Reply reply) {
    this.reply = reply;
    server = new Server();
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setSslContext(TestCa.serverContext(certs));
    tls.setSniRequired(false);
    connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory());
    connector.setHost(bind.getHostAddress());
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        paths.add(Request.getPathInContext(request));
        Reply r = TestHttpsServer.this.reply;
        if (!r.delay().isZero()) {
          Thread.sleep(r.delay().toMillis());
        }
        response.setStatus(r.status());
        if (r.contentType() != null) {
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
        }
        if (r.location() != null) {
          response.getHeaders().put(HttpHeader.LOCATION, r.location());
        }
        response.write(true, ByteBuffer.wrap(r.body().getBytes(StandardCharsets.UTF_8)), callback);
        return true;
      }
    });
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("test HTTPS server", e);
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  public void reply(Reply next) {
    this.reply = next;
  }

  public List<String> paths() {
    return List.copyOf(paths);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception ignored) {
      // stopping anyway
    }
  }
}
