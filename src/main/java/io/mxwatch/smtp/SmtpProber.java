package io.mxwatch.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import io.mxwatch.tls.StartTls;
import io.mxwatch.tls.TlsResult;

/**
 * Probes one exchange address: TCP connect, the full greeting, EHLO and its extension list, then,
 * when STARTTLS is offered, STARTTLS and a TLS handshake ({@link StartTls}; with {@code
 * both_key_types} a second connection asks for the other key type), QUIT. Blocking by design,
 * meant to run on a virtual thread; at most {@link SmtpSettings#maxConcurrent()} probes hold a
 * connection at once. Whatever the server does, a probe ends within {@link SmtpSettings#deadline()}
 * and returns a value; it never throws.
 */
public final class SmtpProber {
  private final SmtpSettings settings;
  private final Semaphore connections;
  /** Null when handshakes are off. */
  private final StartTls tls;

  public SmtpProber(SmtpSettings settings) {
    this(settings, new Semaphore(settings.maxConcurrent(), true));
  }

  /** With the connections of {@code connections} (tests: none free). */
  SmtpProber(SmtpSettings settings, Semaphore connections) {
    this.settings = settings;
    this.connections = connections;
    SmtpSettings.Tls t = settings.tls();
    this.tls = !t.handshake() ? null : new StartTls(t.trust());
  }

  public SmtpSettings settings() {
    return settings;
  }

  /**
   * One check's share of the connections: at most {@code size} of its probes hold one at once, so
   * a domain of tarpits holds that many of the process's {@code smtp.max_concurrent}, not one per
   * address.
   */
  public static final class Share {
    private final Semaphore turns;
    private final int size;

    public Share(int size) {
      this.turns = new Semaphore(size, true);
      this.size = size;
    }
  }

  /** Probes {@code address}; a handshake names no server (SNI) then. */
  public SmtpProbe probe(InetAddress address) {
    return probe(address, (String) null);
  }

  /**
   * Probes {@code address} of the exchange {@code serverName}, which a handshake sends as its SNI
   * (null: none).
   */
  public SmtpProbe probe(InetAddress address, String serverName) {
    var denied = settings.deny().match(address);
    if (denied.isPresent()) {
      return new SmtpProbe.Denied(io.mxwatch.net.IpText.of(address), settings.port(), 0, denied.get().toString());
    }
    // a probe waits for a free connection no longer than it may take in all: exchanges that hold
    // every connection (tarpits) cannot keep other domains' probes waiting for ever
    SmtpProbe busy = waitFor(connections, address, "all " + settings.maxConcurrent() + " SMTP connections stayed busy");
    if (busy != null) {
      return busy;
    }
    try {
      return new Conversation(address, serverName).run();
    } finally {
      connections.release();
    }
  }

  /** {@link #probe(InetAddress, String)} in one of {@code share}'s turns, waited for no longer than the probe's deadline. */
  public SmtpProbe probe(InetAddress address, String serverName, Share share) {
    SmtpProbe busy = waitFor(share.turns, address, "this domain's other probes (" + share.size + " at a time) stayed busy");
    if (busy != null) {
      return busy;
    }
    try {
      return probe(address, serverName);
    } finally {
      share.turns.release();
    }
  }

  /**
   * Takes one of {@code permits} within the probe's deadline: null when it got one, else the probe
   * that was not made ("not probed: WHY for DEADLINE").
   */
  private SmtpProbe waitFor(Semaphore permits, InetAddress address, String why) {
    long start = System.nanoTime();
    try {
      if (permits.tryAcquire(settings.deadline().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        return null;
      }
      return new SmtpProbe.Failed(
          io.mxwatch.net.IpText.of(address),
          settings.port(),
          (System.nanoTime() - start) / 1e6,
          "not probed: " + why + " for " + io.mxwatch.config.Durations.format(settings.deadline()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SmtpProbe.Failed(io.mxwatch.net.IpText.of(address), settings.port(), 0, "interrupted");
    }
  }

  /** The state of one probe. */
  private final class Conversation {
    private final InetAddress address;
    private final String host;
    private final int port = settings.port();
    private final long start = System.nanoTime();
    private final long deadline = start + settings.deadline().toNanos();
    private SmtpProbe.Phase phase = SmtpProbe.Phase.CONNECT;
    private List<String> greeting = List.of();
    private double connectMs;
    private final String serverName;

    Conversation(InetAddress address, String serverName) {
      this.address = address;
      this.host = io.mxwatch.net.IpText.of(address);
      this.serverName = serverName == null ? host : serverName;
    }

    SmtpProbe run() {
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        long connectBudget = Math.min(settings.connectTimeout().toNanos(), deadline - System.nanoTime());
        socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, connectBudget / 1_000_000));
        connectMs = millisSince(start);
        return converse(socket);
      } catch (ReplyReader.MalformedReply e) {
        return phase == SmtpProbe.Phase.GREETING
            ? new SmtpProbe.BadGreeting(host, port, elapsed(), e.getMessage(), e.received())
            : ok(0, List.of(), List.of());
      } catch (SocketTimeoutException e) {
        return new SmtpProbe.TimedOut(host, port, elapsed(), phase, greeting);
      } catch (ConnectException e) {
        return new SmtpProbe.Refused(host, port, elapsed(), message(e, "connection refused"));
      } catch (NoRouteToHostException e) {
        return new SmtpProbe.Failed(host, port, elapsed(), message(e, "no route to host"));
      } catch (EOFException e) {
        return new SmtpProbe.Reset(host, port, elapsed(), phase, message(e, "connection closed"), greeting);
      } catch (SocketException e) {
        // a reset can beat the end of connect() when the server accepts and resets at once
        boolean reset = e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connection reset");
        if (phase == SmtpProbe.Phase.CONNECT && !reset) {
          return new SmtpProbe.Failed(host, port, elapsed(), message(e, "socket error"));
        }
        return new SmtpProbe.Reset(host, port, elapsed(), phase, message(e, "connection reset"), greeting);
      } catch (IOException | RuntimeException e) {
        return new SmtpProbe.Failed(host, port, elapsed(), message(e, e.getClass().getSimpleName()));
      }
    }

    private double greetingMs;

    private SmtpProbe converse(Socket socket) throws IOException {
      phase = SmtpProbe.Phase.GREETING;
      ReplyReader reader = new ReplyReader(socket, deadline, settings.readTimeout().toNanos());
      OutputStream out = socket.getOutputStream();
      Reply hello;
      try {
        hello = reader.read();
      } catch (SocketTimeoutException | EOFException e) {
        greeting = reader.partial();
        throw e;
      }
      greeting = hello.lines();
      greetingMs = millisSince(start);
      if (hello.code() != 220) {
        if (hello.code() >= 400) {
          quietly(out, "QUIT");
          return new SmtpProbe.Rejected(host, port, elapsed(), hello.code(), greeting);
        }
        return new SmtpProbe.BadGreeting(
            host, port, elapsed(), "greeting code " + hello.code() + " instead of 220", greeting);
      }
      phase = SmtpProbe.Phase.EHLO;
      send(out, "EHLO " + settings.heloName());
      Reply ehlo = reader.read();
      List<String> extensions = new ArrayList<>();
      if (ehlo.code() == 250) {
        extensions.addAll(ehlo.lines().subList(1, ehlo.lines().size()));
      }
      if (tls == null || !offersStartTls(extensions)) {
        quit(out, reader);
        return ok(ehlo.code(), extensions, List.of());
      }
      List<TlsResult> handshakes = new ArrayList<>();
      TlsResult first = upgrade(socket, out, reader, StartTls.KeyType.ANY);
      handshakes.add(first);
      if (first instanceof TlsResult.Established e && e.leaf() != null && settings.tls().bothKeyTypes()) {
        handshakes.add(again(e.leaf().rsa() ? StartTls.KeyType.ECDSA : StartTls.KeyType.RSA));
      }
      return ok(ehlo.code(), extensions, handshakes);
    }

    /**
     * STARTTLS on the connection, then the handshake and QUIT over TLS. A refused STARTTLS is a
     * failed handshake of stage {@code starttls}, said goodbye to in plain text.
     */
    private TlsResult upgrade(Socket socket, OutputStream out, ReplyReader reader, StartTls.KeyType type) throws IOException {
      long started = System.nanoTime();
      send(out, "STARTTLS");
      Reply answer = reader.read();
      if (answer.code() != 220) {
        quit(out, reader);
        String text = answer.lines().isEmpty() ? "" : " " + answer.lines().getFirst();
        return new TlsResult.Failed(type.label(), millisSince(started), "starttls", "STARTTLS answered " + answer.code() + text, null);
      }
      StartTls.Handshake h = tls.handshake(socket, serverName, type, deadline);
      if (h.socket() != null) {
        try {
          quit(h.socket().getOutputStream(), new ReplyReader(h.socket(), Math.min(deadline, System.nanoTime() + QUIT_WAIT_NANOS), QUIT_WAIT_NANOS));
        } catch (IOException ignored) {
          // the handshake's result is known
        }
      }
      return h.result();
    }

    /** A second connection whose handshake asks for {@code type}: greeting, EHLO, STARTTLS. */
    private TlsResult again(StartTls.KeyType type) {
      long started = System.nanoTime();
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        long budget = Math.min(settings.connectTimeout().toNanos(), deadline - System.nanoTime());
        if (budget <= 0) {
          return new TlsResult.Failed(type.label(), 0, "timeout", "no time left for a second connection", null);
        }
        socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, budget / 1_000_000));
        ReplyReader reader = new ReplyReader(socket, deadline, settings.readTimeout().toNanos());
        OutputStream out = socket.getOutputStream();
        Reply hello = reader.read();
        if (hello.code() != 220) {
          return new TlsResult.Failed(type.label(), millisSince(started), "starttls", "the second connection was greeted with " + hello.code(), null);
        }
        send(out, "EHLO " + settings.heloName());
        Reply ehlo = reader.read();
        if (ehlo.code() != 250 || !offersStartTls(ehlo.lines().subList(1, ehlo.lines().size()))) {
          return new TlsResult.Failed(type.label(), millisSince(started), "starttls", "the second connection was not offered STARTTLS", null);
        }
        return upgrade(socket, out, reader, type);
      } catch (SocketTimeoutException e) {
        return new TlsResult.Failed(type.label(), millisSince(started), "timeout", "the second connection timed out", null);
      } catch (IOException | RuntimeException e) {
        return new TlsResult.Failed(type.label(), millisSince(started), "starttls", "the second connection failed: " + message(e, e.getClass().getSimpleName()), null);
      }
    }

    private SmtpProbe ok(int ehloCode, List<String> extensions, List<TlsResult> handshakes) {
      return new SmtpProbe.Ok(
          host, port, elapsed(), connectMs, greetingMs, greeting, ehloCode, extensions, handshakes);
    }

    private double elapsed() {
      return millisSince(start);
    }
  }

  private static boolean offersStartTls(List<String> extensions) {
    for (String e : extensions) {
      if (e.equalsIgnoreCase("STARTTLS") || e.toUpperCase(java.util.Locale.ROOT).startsWith("STARTTLS ")) {
        return true;
      }
    }
    return false;
  }

  private static void send(OutputStream out, String command) throws IOException {
    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** How long a probe waits for the answer to QUIT, which does not change its result. */
  private static final long QUIT_WAIT_NANOS = 2_000_000_000L;

  /** Says goodbye and reads the 221, briefly: the result does not depend on it. */
  private static void quit(OutputStream out, ReplyReader reader) {
    try {
      send(out, "QUIT");
      reader.read(QUIT_WAIT_NANOS);
    } catch (IOException ignored) {
      // the probe's result is already known
    }
  }

  /** QUIT is a courtesy: the result does not depend on the server's answer to it. */
  private static void quietly(OutputStream out, String command) {
    try {
      send(out, command);
    } catch (IOException ignored) {
      // the probe's result is already known
    }
  }

  private static double millisSince(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000.0;
  }

  private static String message(Exception e, String fallback) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? fallback : m;
  }
}
