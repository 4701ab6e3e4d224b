package io.mxwatch.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener's bounds against slow and abusive clients: heads that never finish, connections that
 * send nothing, oversized heads. Only the health endpoints are asked, so the backend is bare.
 */
class ListenerLimitsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final HttpApi.Limits LIMITS =
      new HttpApi.Limits(2048, Duration.ofSeconds(1), Duration.ofSeconds(30), 8 * 1024, 8, Duration.ofSeconds(1));

  private final List<Socket> sockets = new ArrayList<>();
  private HttpApi api;

  @AfterEach
  void close() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    if (api != null) {
      api.close();
    }
  }

  private HttpApi start() throws IOException {
    return start(LIMITS);
  }

  private HttpApi start(HttpApi.Limits limits) throws IOException {
    HttpApi.Backend backend = new HttpApi.Backend(null, null, null, () -> null, Clock.systemUTC(), List::of, () -> null);
    api = HttpApi.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backend, limits);
    return api;
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), api.address().getPort());
    sockets.add(s);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Whether the server closed the connection: reads until end of stream, within the deadline. */
  private static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout((int) DEADLINE.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain whatever the server wrote before closing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  private static HttpResponse<String> get(HttpApi api, String path) throws Exception {
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path)).timeout(DEADLINE).GET().build();
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void aThousandHeadsThatNeverFinishLeaveTheHealthEndpointsAnswering() throws Exception {
    // a header timeout long enough that the thousand stay open while the endpoints are asked
    start(new HttpApi.Limits(2048, Duration.ofMinutes(2), Duration.ofMinutes(2), 8 * 1024, 8, Duration.ofSeconds(1)));
    for (int i = 0; i < 1000; i++) {
      send(connect(), "GET /metrics HTTP/1.1\r\nHost: x\r\n");
    }
    Await.until("the thousand connections are open", DEADLINE, () -> api.connections() >= 1000);

    HttpResponse<String> healthy = get(api, "/-/healthy");
    HttpResponse<String> ready = get(api, "/-/ready");

    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(api.connections()).as("the unfinished heads were all still open").isGreaterThanOrEqualTo(1000);
  }

  @Test
  void aHeadTrickledByteByByteIsCutAtTheHeaderTimeoutThoughItNeverGoesIdle() throws Exception {
    start();
    Socket slow = connect();
    send(slow, "GET /-/healthy HTTP/1.1\r\n");
    // one header byte every 200 ms: never idle for the 30 s idle timeout, always mid-head
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    for (int i = 0; i < 400 && !Thread.currentThread().isInterrupted(); i++) {
                      send(slow, "X");
                      Thread.sleep(200);
                    }
                  } catch (IOException | InterruptedException e) {
                    // the server closed it: what the test waits for
                  }
                });
    try {
      assertThat(closedByServer(slow)).as("the server closed the slow head's connection").isTrue();
    } finally {
      writer.interrupt();
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws Exception {
    start();
    Socket silent = connect();

    assertThat(closedByServer(silent)).isTrue();
  }

  @Test
  void aKeptAliveConnectionServesSeveralRequestsAndIsNotCutBetweenThem() throws Exception {
    start();
    Socket s = connect();
    s.setSoTimeout((int) DEADLINE.toMillis());
    String request = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
    send(s, request);
    String first = readResponse(s.getInputStream());
    // a connection opened after that answer, and silent, is cut at the header timeout: by then the
    // kept-alive one has waited longer than the header timeout between two requests
    assertThat(closedByServer(connect())).isTrue();
    send(s, request);
    String second = readResponse(s.getInputStream());

    assertThat(first).startsWith("HTTP/1.1 200");
    assertThat(second).startsWith("HTTP/1.1 200");
  }

  @Test
  void anOversizedHeadIsRefusedWith431() throws Exception {
    start();
    Socket s = connect();
    s.setSoTimeout((int) DEADLINE.toMillis());
    send(s, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");

    assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 431");
  }

  /** Reads one response's head and its Content-Length body. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
