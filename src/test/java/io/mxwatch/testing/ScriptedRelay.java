package io.mxwatch.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain SMTP relay on loopback that answers RCPT by a rule: addresses starting with {@code
 * reject5} get 550, with {@code reject4} get 451, the rest 250. When a recipient starts with
 * {@code resetquit}, it answers QUIT with a reset (after accepting the data). It keeps the envelope
 * recipients and the data of each accepted message.
 */
public final class ScriptedRelay implements AutoCloseable {
  /** One accepted message: who it went to and its raw text. */
  public record Received(List<String> recipients, String data) {}

  private final ServerSocket server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Thread thread;

  public ScriptedRelay() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "scripted-relay");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private final java.util.concurrent.atomic.AtomicInteger quits = new java.util.concurrent.atomic.AtomicInteger();

  /** QUIT commands received so far. */
  public int quits() {
    return quits.get();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        converse(s);
      } catch (IOException e) {
        // closed, or the client went away: next connection
      }
    }
  }

  private void converse(Socket s) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = s.getOutputStream();
    reply(out, "220 scripted.relay ESMTP");
    List<String> rcpt = new CopyOnWriteArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      String upper = line.toUpperCase(java.util.Locale.ROOT);
      if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
        reply(out, "250-scripted.relay\r\n250 8BITMIME");
      } else if (upper.startsWith("MAIL FROM:")) {
        rcpt.clear();
        reply(out, "250 2.1.0 Ok");
      } else if (upper.startsWith("RCPT TO:")) {
        String address = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
        if (address.startsWith("reject5")) {
          reply(out, "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
        } else if (address.startsWith("reject4")) {
          reply(out, "451 4.3.0 <" + address + ">: Temporary lookup failure");
        } else {
          rcpt.add(address);
          reply(out, "250 2.1.5 Ok");
        }
      } else if (upper.equals("DATA")) {
        reply(out, "354 End data with <CR><LF>.<CR><LF>");
        StringBuilder data = new StringBuilder();
        while ((line = in.readLine()) != null && !line.equals(".")) {
          data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        received.add(new Received(List.copyOf(rcpt), data.toString()));
        reply(out, "250 2.0.0 Ok: queued as SCRIPTED" + received.size());
      } else if (upper.equals("QUIT")) {
        quits.incrementAndGet();
        if (rcpt.stream().anyMatch(a -> a.startsWith("resetquit"))) {
          s.setSoLinger(true, 0); // closing now sends a reset
          return;
        }
        reply(out, "221 2.0.0 Bye");
        return;
      } else if (upper.equals("RSET") || upper.equals("NOOP")) {
        reply(out, "250 2.0.0 Ok");
      } else {
        reply(out, "502 5.5.2 Error: command not recognized");
      }
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
