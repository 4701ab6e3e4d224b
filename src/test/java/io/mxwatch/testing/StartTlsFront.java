package io.mxwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * STARTTLS in front of a plain SMTP server (GreenMail has no STARTTLS): greets, offers STARTTLS,
 * upgrades the connection with GreenMail's self-signed test certificate, then relays the rest of
 * the conversation to the server behind it. Counts the upgrades, so a test can tell that the
 * email went over TLS.
 */
public final class StartTlsFront implements AutoCloseable {
  private final ServerSocket server;
  private final int backendPort;
  private final SSLContext tls;
  private final AtomicInteger upgrades = new AtomicInteger();

  public StartTlsFront(int backendPort) throws Exception {
    this.backendPort = backendPort;
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = StartTlsFront.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "starttls-front");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public int upgrades() {
    return upgrades.get();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        converse(s);
      } catch (IOException e) {
        // next connection
      }
    }
  }

  private void converse(Socket plain) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = plain.getOutputStream();
    write(out, "220 front.test ESMTP");
    String line;
    while ((line = in.readLine()) != null) {
      String upper = line.toUpperCase(java.util.Locale.ROOT);
      if (upper.startsWith("EHLO")) {
        write(out, "250-front.test\r\n250 STARTTLS");
      } else if (upper.equals("STARTTLS")) {
        write(out, "220 2.0.0 Ready to start TLS");
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false);
        secure.setUseClientMode(false);
        secure.startHandshake();
        upgrades.incrementAndGet();
        pipe(secure);
        return;
      } else if (upper.equals("QUIT")) {
        write(out, "221 Bye");
        return;
      } else {
        write(out, "530 5.7.0 Must issue a STARTTLS command first");
      }
    }
  }

  /** Relays the TLS side to the plain server behind, after swallowing that server's greeting. */
  private void pipe(SSLSocket client) throws IOException {
    try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
      InputStream fromBackend = backend.getInputStream();
      int c;
      while ((c = fromBackend.read()) != -1 && c != '\n') {
        // the backend's 220 greeting: the client had ours already
      }
      Thread up =
          new Thread(
              () -> {
                try {
                  client.getInputStream().transferTo(backend.getOutputStream());
                } catch (IOException e) {
                  // connection closed
                }
              },
              "starttls-front-up");
      up.setDaemon(true);
      up.start();
      try {
        fromBackend.transferTo(client.getOutputStream());
      } catch (IOException e) {
        // connection closed
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
