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

/**
 * Probes one exchange address: TCP connect, the full greeting, EHLO and its extension list, QUIT.
 * Blocking by design, meant to run on a virtual thread; at most {@link
 * SmtpSettings#maxConcurrent()} probes hold a connection at once. Whatever the server does, a
 * probe ends within {@link SmtpSettings#deadline()} and returns a value; it never throws.
 */
public final class SmtpProber {
  private final SmtpSettings settings;
  private final Semaphore connections;

  public SmtpProber(SmtpSettings settings) {
    this(settings, new Semaphore(settings.maxConcurrent(), true));
  }

  /** With the connections of {@code connections} (tests: none free). */
  SmtpProber(SmtpSettings settings, Semaphore connections) {
    this.settings = settings;
    this.connections = connections;
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

  public SmtpProbe probe(InetAddress address) {
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
      return new Conversation(address).run();
    } finally {
      connections.release();
    }
  }

  /** {@link #probe(InetAddress)} in one of {@code share}'s turns, waited for no longer than the probe's deadline. */
  public SmtpProbe probe(InetAddress address, Share share) {
    SmtpProbe busy = waitFor(share.turns, address, "this domain's other probes (" + share.size + " at a time) stayed busy");
    if (busy != null) {
      return busy;
    }
    try {
      return probe(address);
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

    Conversation(InetAddress address) {
      this.address = address;
      this.host = io.mxwatch.net.IpText.of(address);
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
            : ok(0, List.of());
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
      quit(out, reader);
      return ok(ehlo.code(), extensions);
    }

    private SmtpProbe ok(int ehloCode, List<String> extensions) {
      return new SmtpProbe.Ok(
          host, port, elapsed(), connectMs, greetingMs, greeting, ehloCode, extensions);
    }

    private double elapsed() {
      return millisSince(start);
    }
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
