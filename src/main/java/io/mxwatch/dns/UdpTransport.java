package io.mxwatch.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP transport for many queries at once: a few long-lived sockets per server (connected, so the
 * kernel drops datagrams from anyone else and reports an unreachable port), queries multiplexed by
 * their random ID, a selector thread per processor reading them, and timeouts kept in deadline order and swept
 * every 10 ms. Costs O(log n) per query, where dnsjava's own UDP client opens a socket per query and
 * scans every pending query on each event.
 *
 * <p>An answer is accepted only from the server the query went to, with the query's ID and the
 * query's question section byte for byte; anything else is dropped.
 */
final class UdpTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
  private static final int HEADER = 12;
  private static final long SWEEP_NANOS = 10_000_000L;
  private static final int RECEIVE_BUFFER = 1 << 20;

  private final int socketsPerServer;
  private final Map<InetSocketAddress, Server> servers = new ConcurrentHashMap<>();
  /** Pending queries in deadline order. */
  private final ConcurrentSkipListSet<Pending> deadlines = new ConcurrentSkipListSet<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Thread sweeper;
  private volatile boolean closed;

  UdpTransport(int socketsPerServer) {
    this.socketsPerServer = socketsPerServer;
    this.sweeper = Thread.ofPlatform().daemon().name("mxwatch-dns-timeouts").start(this::sweep);
  }

  /** Told the fate of one query; called once, on a transport thread or the sender's. */
  interface Receiver {
    /** The answer, already matched to the query by server, ID and question. */
    void answered(byte[] wire);

    /** {@link SocketTimeoutException} when no answer came in time, or another I/O failure. */
    void failed(IOException error);
  }

  /** Sends a wire query to {@code remote} and tells {@code receiver} its answer or failure. */
  void send(InetSocketAddress remote, byte[] data, long timeoutNanos, Receiver receiver) {
    if (closed) {
      failed(receiver, new ClosedChannelException());
      return;
    }
    Server server;
    try {
      server = servers.computeIfAbsent(remote, this::open);
    } catch (UncheckedIOException e) {
      failed(receiver, e.getCause());
      return;
    }
    int id = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
    Pending pending =
        new Pending(id, question(data), System.nanoTime() + timeoutNanos, sequence.incrementAndGet(), receiver);
    Socket socket = server.claim(pending);
    if (socket == null) {
      failed(receiver, new IOException("query ID " + id + " already in flight on every socket"));
      return;
    }
    pending.socket = socket;
    deadlines.add(pending);
    try {
      if (socket.channel.write(ByteBuffer.wrap(data)) == 0) {
        throw new IOException("UDP send buffer full");
      }
    } catch (IOException e) {
      if (socket.pending.remove(id, pending)) {
        deadlines.remove(pending);
        failed(receiver, e);
      }
    }
  }

  private static void answered(Receiver receiver, byte[] wire) {
    try {
      receiver.answered(wire);
    } catch (RuntimeException e) {
      log.error("handling a DNS answer failed", e);
    }
  }

  private static void failed(Receiver receiver, IOException error) {
    try {
      receiver.failed(error);
    } catch (RuntimeException e) {
      log.error("handling a failed DNS query failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    sweeper.interrupt();
    for (Server server : servers.values()) {
      for (Socket socket : server.sockets) {
        closeQuietly(socket.channel);
        socket.failAll(new ClosedChannelException());
      }
      server.selectors.forEach(UdpTransport::closeQuietly);
    }
  }

  /**
   * Opens the sockets to a server, non-blocking and connected, shared among one selector thread per
   * processor; each reads every socket of its own that is ready, each until it is empty, so one
   * wakeup serves many answers and the work on them spreads over the processors.
   */
  private Server open(InetSocketAddress remote) {
    int threads = Math.max(1, Math.min(socketsPerServer, Runtime.getRuntime().availableProcessors()));
    List<Socket> sockets = new ArrayList<>();
    List<Selector> selectors = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        selectors.add(Selector.open());
      }
      for (int i = 0; i < socketsPerServer; i++) {
        DatagramChannel channel = DatagramChannel.open();
        sockets.add(new Socket(channel, remote));
        // answers wait here while the receiver is busy; the kernel caps it at rmem_max
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        channel.connect(remote);
        channel.configureBlocking(false);
        channel.register(selectors.get(i % threads), SelectionKey.OP_READ, sockets.get(i));
      }
    } catch (IOException e) {
      sockets.forEach(socket -> closeQuietly(socket.channel));
      selectors.forEach(UdpTransport::closeQuietly);
      throw new UncheckedIOException(e);
    }
    for (int t = 0; t < threads; t++) {
      Selector selector = selectors.get(t);
      Thread.ofPlatform().daemon().name("mxwatch-dns-udp-" + t + "-" + DnsClient.describe(remote)).start(() -> receive(selector));
    }
    return new Server(List.copyOf(sockets), List.copyOf(selectors));
  }

  /**
   * Reads answers until {@link #close}. It never stops on its own: a receiver that died would
   * leave its sockets' queries to time out for the rest of the process's life. A failure is
   * logged (the first, then every thousandth in a row) and the loop goes on after a short pause;
   * the queries it may have cost time out as usual.
   */
  private void receive(Selector selector) {
    ByteBuffer buffer = ByteBuffer.allocate(65535);
    int failures = 0;
    while (!closed) {
      try {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          ((Socket) key.attachment()).drain(buffer);
        }
        selector.selectedKeys().clear();
        failures = 0;
      } catch (java.nio.channels.ClosedSelectorException e) {
        return; // closed by close()
      } catch (IOException | RuntimeException e) {
        if (closed || !selector.isOpen()) {
          return;
        }
        selector.selectedKeys().clear();
        failures++;
        if (failures == 1 || failures % 1000 == 0) {
          log.error("waiting for DNS answers failed ({} in a row); the receiver goes on", failures, e);
        }
        try {
          Thread.sleep(Math.min(1000, 10L * failures)); // no busy loop on a failure that repeats
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** The question section of a wire query: everything after the header (no EDNS in it). */
  private static byte[] question(byte[] data) {
    int end = HEADER;
    while (end < data.length && data[end] != 0) {
      end += (data[end] & 0xff) + 1; // uncompressed labels in a query
    }
    end = Math.min(data.length, end + 1 + 4); // root label, type, class
    return Arrays.copyOfRange(data, HEADER, end);
  }

  /** Every 10 ms, expires the queries whose time is up. */
  private void sweep() {
    while (!closed) {
      long now = System.nanoTime();
      for (Pending first = first(); first != null && first.deadline - now <= 0; first = first()) {
        if (deadlines.remove(first) && first.socket.pending.remove(first.id, first)) {
          failed(first.receiver, new SocketTimeoutException("query timed out"));
        }
      }
      try {
        Thread.sleep(Duration.ofNanos(SWEEP_NANOS));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Pending first() {
    try {
      return deadlines.first();
    } catch (java.util.NoSuchElementException e) {
      return null;
    }
  }

  /** One query waiting for its answer; ordered by deadline, then by when it was sent. */
  private static final class Pending implements Comparable<Pending> {
    final int id;
    final byte[] question;
    final long deadline;
    final long sequence;
    final Receiver receiver;
    Socket socket;

    Pending(int id, byte[] question, long deadline, long sequence, Receiver receiver) {
      this.id = id;
      this.question = question;
      this.deadline = deadline;
      this.sequence = sequence;
      this.receiver = receiver;
    }

    @Override
    public int compareTo(Pending other) {
      int byDeadline = Long.compare(deadline - other.deadline, 0);
      return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
  }

  /** The sockets to one server; queries spread over them round-robin. */
  private static final class Server {
    final List<Socket> sockets;
    final List<Selector> selectors;
    final AtomicInteger next = new AtomicInteger();

    Server(List<Socket> sockets, List<Selector> selectors) {
      this.sockets = sockets;
      this.selectors = selectors;
    }

    /** A socket on which the query's ID is free, with the query registered; null if none. */
    Socket claim(Pending pending) {
      int start = Math.floorMod(next.getAndIncrement(), sockets.size());
      for (int i = 0; i < sockets.size(); i++) {
        Socket socket = sockets.get((start + i) % sockets.size());
        if (socket.pending.putIfAbsent(pending.id, pending) == null) {
          return socket;
        }
      }
      return null;
    }
  }

  /** One connected socket and the queries in flight on it, by ID. */
  private final class Socket {
    final DatagramChannel channel;
    final InetSocketAddress remote;
    final Map<Integer, Pending> pending = new ConcurrentHashMap<>();

    Socket(DatagramChannel channel, InetSocketAddress remote) {
      this.channel = channel;
      this.remote = remote;
    }

    /** Reads every datagram waiting on this socket. */
    void drain(ByteBuffer buffer) {
      while (channel.isOpen()) {
        buffer.clear();
        int length;
        try {
          length = channel.read(buffer);
        } catch (PortUnreachableException e) {
          failAll(new PortUnreachableException("nothing listening at " + DnsClient.describe(remote)));
          continue;
        } catch (IOException e) {
          if (channel.isOpen()) {
            log.warn("receiving from {} failed", DnsClient.describe(remote), e);
          }
          return;
        }
        if (length == 0) {
          return;
        }
        if (length < HEADER) {
          continue;
        }
        byte[] bytes = buffer.array();
        int id = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
        Pending p = pending.get(id);
        if (p == null || !sameQuestion(p.question, bytes, length)) {
          continue; // late, spoofed or foreign: not an answer to anything waiting
        }
        if (pending.remove(id, p)) {
          deadlines.remove(p);
          answered(p.receiver, Arrays.copyOf(bytes, length));
        }
      }
    }

    void failAll(IOException error) {
      for (Pending p : pending.values()) {
        if (pending.remove(p.id, p)) {
          deadlines.remove(p);
          failed(p.receiver, error);
        }
      }
    }

    private static boolean sameQuestion(byte[] question, byte[] answer, int length) {
      if (length < HEADER + question.length) {
        return false;
      }
      return Arrays.equals(question, 0, question.length, answer, HEADER, HEADER + question.length);
    }
  }
}
