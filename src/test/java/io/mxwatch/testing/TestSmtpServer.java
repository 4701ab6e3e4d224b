package io.mxwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP server inside the test JVM, on a loopback port of its own, that behaves well or badly on
 * demand. It records the commands it received and counts connections.
 */
public final class TestSmtpServer implements AutoCloseable {

  /** What the server does with one accepted connection. */
  @FunctionalInterface
  public interface Behaviour {
    void serve(Socket socket, List<String> commands) throws IOException;
  }

  private final ServerSocket server;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile Behaviour behaviour;
  private volatile boolean closed;

  private TestSmtpServer(InetAddress bind, int port, Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(bind, port));
    Thread.ofPlatform().daemon().name("test-smtp-" + port()).start(this::acceptLoop);
  }

  public static TestSmtpServer start(Behaviour behaviour) {
    return start(InetAddress.getLoopbackAddress(), 0, behaviour);
  }

  public static TestSmtpServer start(InetAddress bind, int port, Behaviour behaviour) {
    try {
      return new TestSmtpServer(bind, port, behaviour);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public InetAddress address() {
    return server.getInetAddress();
  }

  public void behave(Behaviour next) {
    this.behaviour = next;
  }

  public List<String> commands() {
    return List.copyOf(commands);
  }

  public int connections() {
    return connections.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    workers.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true); // as real exchanges do: no delayed-ACK stalls between TLS records
        connections.incrementAndGet();
        open.add(socket);
        Behaviour current = behaviour;
        workers.execute(
            () -> {
              try (socket) {
                socket.setSoTimeout(60_000);
                current.serve(socket, commands);
              } catch (IOException ignored) {
                // the client went away
              } finally {
                open.remove(socket);
              }
            });
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  // ---- behaviours ----

  static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Greets with {@code greeting} (raw, CRLFs included), answers EHLO with {@code ehlo}, then QUIT. */
  public static Behaviour conversation(String greeting, String ehlo) {
    return conversation(greeting, ehlo, null);
  }

  /**
   * What a connection does after the server answered STARTTLS with 220: upgrade the socket and
   * return it (the conversation goes on over TLS), or do something else and return null (the
   * connection ends).
   */
  @FunctionalInterface
  public interface AfterStartTls {
    Socket upgrade(Socket plain) throws IOException;
  }

  /**
   * Greets with {@code greeting}, answers EHLO with {@code ehlo}; STARTTLS with 220 and then
   * {@code startTls} (null: 502, as a server without it), then QUIT.
   */
  public static Behaviour conversation(String greeting, String ehlo, AfterStartTls startTls) {
    return (socket, commands) -> {
      write(socket, greeting);
      Socket current = socket;
      BufferedReader in =
          new BufferedReader(new InputStreamReader(current.getInputStream(), StandardCharsets.ISO_8859_1));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        commands.add(line);
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
        switch (verb) {
          case "EHLO" -> write(current, ehlo);
          case "HELO" -> write(current, "250 test.example\r\n");
          case "STAR" -> {
            if (startTls == null || !line.equalsIgnoreCase("STARTTLS")) {
              write(current, "502 5.5.2 Error: command not recognized\r\n");
              break;
            }
            write(current, "220 2.0.0 Ready to start TLS\r\n");
            current = startTls.upgrade(current);
            if (current == null) {
              return;
            }
            in = new BufferedReader(new InputStreamReader(current.getInputStream(), StandardCharsets.ISO_8859_1));
          }
          case "QUIT" -> {
            write(current, "221 2.0.0 Bye\r\n");
            return;
          }
          default -> write(current, "502 5.5.2 Error: command not recognized\r\n");
        }
      }
    };
  }

  /**
   * A TLS server handshake on the accepted connection, with the certificates {@code certs} picks,
   * speaking {@code protocols} (none named: the JDK's defaults, TLS 1.3 and 1.2).
   */
  public static AfterStartTls tls(java.util.function.BiFunction<String, TestCa.Key, TestCa.Leaf> certs, String... protocols) {
    javax.net.ssl.SSLContext context = TestCa.serverContext(certs);
    return plain -> {
      javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
      s.setUseClientMode(false);
      if (protocols.length > 0) {
        s.setEnabledProtocols(protocols);
      }
      s.startHandshake();
      return s;
    };
  }

  /** A healthy exchange whose TLS speaks only {@code protocols}. */
  public static Behaviour startTls(java.util.function.BiFunction<String, TestCa.Key, TestCa.Leaf> certs, String... protocols) {
    return conversation("220 mx.example.test ESMTP ready\r\n", TLS_EHLO, tls(certs, protocols));
  }

  private static final String TLS_EHLO = "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n";

  /** Multi-line greeting, EHLO with PIPELINING, SIZE and STARTTLS, and TLS with certificates of the shared test CA for whatever name is asked (RSA and ECDSA). */
  public static Behaviour wellBehaved() {
    return conversation("220-mx.example.test ESMTP ready\r\n220 second greeting line\r\n", TLS_EHLO, tls(TestCa.shared().forEveryName()));
  }

  /** STARTTLS answered with 220, then {@code after} instead of a TLS server (garbage, silence, an old protocol). */
  public static Behaviour startTlsThen(AfterStartTls after) {
    return conversation("220 mx.example.test ESMTP ready\r\n", TLS_EHLO, after);
  }

  /** Offers STARTTLS but refuses the command (502), as a server whose TLS keys are missing does. */
  public static Behaviour startTlsRefused() {
    return conversation("220 mx.example.test ESMTP ready\r\n", TLS_EHLO, null);
  }

  /**
   * After STARTTLS: reads the ClientHello, answers with a TLS 1.0 ServerHello (a server that speaks
   * nothing newer), and closes.
   */
  public static AfterStartTls tls10ServerHello() {
    return plain -> {
      plain.getInputStream().read(new byte[16 * 1024]); // the ClientHello, or most of it
      byte[] hello = new byte[4 + 2 + 32 + 1 + 2 + 1];
      int i = 0;
      hello[i++] = 0x02; // ServerHello
      int length = hello.length - 4;
      hello[i++] = 0;
      hello[i++] = (byte) (length >> 8);
      hello[i++] = (byte) length;
      hello[i++] = 0x03; // TLS 1.0
      hello[i++] = 0x01;
      i += 32; // random
      hello[i++] = 0; // no session ID
      hello[i++] = (byte) 0xc0; // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, which a client offers for TLS 1.2
      hello[i++] = 0x13;
      hello[i] = 0; // no compression
      byte[] record = new byte[5 + hello.length];
      record[0] = 0x16;
      record[1] = 0x03;
      record[2] = 0x01;
      record[3] = (byte) (hello.length >> 8);
      record[4] = (byte) hello.length;
      System.arraycopy(hello, 0, record, 5, hello.length);
      plain.getOutputStream().write(record);
      plain.getOutputStream().flush();
      return null;
    };
  }

  /** After STARTTLS: 100 KB of garbage instead of a ServerHello. */
  public static AfterStartTls tlsGarbage() {
    return plain -> {
      byte[] junk = new byte[100 * 1024];
      new java.util.Random(7).nextBytes(junk);
      plain.getOutputStream().write(junk);
      plain.getOutputStream().flush();
      return null;
    };
  }

  /** After STARTTLS: nothing, until the client gives up. */
  public static AfterStartTls tlsSilence() {
    return plain -> {
      try {
        plain.getInputStream().transferTo(OutputStream.nullOutputStream());
      } catch (IOException ignored) {
        // the client went away
      }
      return null;
    };
  }

  /** A server that does not offer STARTTLS. */
  public static Behaviour withoutStartTls() {
    return conversation("220 plain.example.test ESMTP\r\n", "250-plain.example.test\r\n250 SIZE 1000\r\n");
  }

  /** A 554 greeting: "no SMTP service here". */
  public static Behaviour rejecting() {
    return conversation("554 5.3.2 No SMTP service here\r\n", "503 bad sequence\r\n");
  }

  /** Accepts the connection and never says a word. */
  public static Behaviour silent() {
    return (socket, commands) -> {
      // read until the client gives up
      while (socket.getInputStream().read() >= 0) {
        // discard
      }
    };
  }

  /** Greets well, but only after {@code delay}. */
  public static Behaviour slowGreeting(Duration delay) {
    return (socket, commands) -> {
      try {
        Thread.sleep(delay); // the server under test is slow on purpose
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      wellBehaved().serve(socket, commands);
    };
  }

  /** "220 " followed by an endless line without CRLF. */
  public static Behaviour endlessLine() {
    return (socket, commands) -> {
      write(socket, "220 ");
      byte[] chunk = "A".repeat(8192).getBytes(StandardCharsets.US_ASCII);
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 10_000; i++) { // 80 MB at most, the client hangs up long before
        out.write(chunk);
      }
    };
  }

  /** Endless multi-line greeting: "220-" lines forever. */
  public static Behaviour endlessReply() {
    return (socket, commands) -> {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 1_000_000; i++) {
        out.write(("220-line " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    };
  }

  /** Binary garbage instead of a greeting. */
  public static Behaviour garbage() {
    return (socket, commands) -> {
      byte[] junk = new byte[300];
      new java.util.Random(42).nextBytes(junk);
      junk[junk.length - 1] = '\n';
      socket.getOutputStream().write(junk);
      socket.getOutputStream().flush();
      while (socket.getInputStream().read() >= 0) {
        // wait for the client to hang up
      }
    };
  }

  /** Accepts and resets the connection at once (RST, not FIN). */
  public static Behaviour reset() {
    return (socket, commands) -> {
      socket.setSoLinger(true, 0);
      socket.close();
    };
  }

  /** Greets, then resets the connection when EHLO arrives. */
  public static Behaviour resetAfterGreeting() {
    return (socket, commands) -> {
      write(socket, "220 flaky.example.test ESMTP\r\n");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      commands.add(in.readLine());
      socket.setSoLinger(true, 0);
      socket.close();
    };
  }

  /** Greets, then never answers EHLO. */
  public static Behaviour silentAfterGreeting() {
    return (socket, commands) -> {
      write(socket, "220 mute.example.test ESMTP\r\n");
      while (socket.getInputStream().read() >= 0) {
        // never answer
      }
    };
  }

  /** Sends one byte of a greeting every {@code interval}, forever. */
  public static Behaviour trickle(Duration interval) {
    return (socket, commands) -> {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 100_000; i++) {
        out.write(i == 0 ? '2' : 'x');
        out.flush();
        try {
          Thread.sleep(interval); // a hostile slow server, on purpose
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    };
  }
}
