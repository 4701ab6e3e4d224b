package io.mxwatch.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP transport for many queries at once, careful as a stub resolver should be: queries are
 * multiplexed by their random ID over a few connected sockets per server (the kernel drops
 * datagrams from anyone else), each socket read by a receiver thread of its own that hands the
 * answers it read, a round at a time, to a worker thread ({@link RoundWorker}) where they are
 * parsed and the checks they belong to go on; a sweeper looks over the queries in flight every
 * 10 ms for those whose time is up. A query costs a map insertion and removal and nothing per
 * answer beyond it, where dnsjava's own UDP client opens a socket per query and scans every
 * pending query on each event. Queries started while a round is handled go out together after it.
 *
 * <p>What a forger has to guess, and what a forged datagram can do:
 *
 * <ul>
 *   <li>An answer is accepted only from the server the query went to, on the socket it went out
 *       on, with the query's ID, QR set, opcode QUERY, and the query's question byte for byte.
 *   <li>The source port: a socket carries {@value #QUERIES_PER_SOCKET} queries, then a new socket
 *       (a new port chosen by the kernel) takes its place, so no port lives long enough to be
 *       learnt and aimed at.
 *   <li>The letters' case of the name (0x20, draft-vixie-dnsext-dns0x20): each letter of the name
 *       is sent in a random case, and the answer must repeat it exactly; what is handed on has the
 *       name as asked.
 *   <li>An ICMP port-unreachable on a socket does not fail the queries on it (one forged ICMP would
 *       fail them all): the socket is retired and each of its queries is sent again on a socket of
 *       its own, where an ICMP can only mean that query's server is not listening.
 * </ul>
 */
final class UdpTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
  private static final int HEADER = 12;
  private static final long SWEEP_NANOS = 10_000_000L;
  private static final int RECEIVE_BUFFER = 1 << 20;
  /** Queries a socket carries before a new one (a new source port) takes its place. */
  static final int QUERIES_PER_SOCKET = 1000;
  /** Fresh random IDs tried for a query whose ID is in flight on every socket before it fails. */
  static final int ID_TRIES = 32;

  private final int socketsPerServer;
  private final int queriesPerSocket;
  private final boolean randomizeCase;
  private final Map<InetSocketAddress, Server> servers = new ConcurrentHashMap<>();
  /** The unconnected sockets of {@link #sendDirect}; null until first used. */
  private volatile Server direct;
  private final Thread sweeper;
  private volatile boolean closed;

  UdpTransport(int socketsPerServer, boolean randomizeCase) {
    this(socketsPerServer, QUERIES_PER_SOCKET, randomizeCase);
  }

  UdpTransport(int socketsPerServer, int queriesPerSocket, boolean randomizeCase) {
    if (socketsPerServer < 1 || queriesPerSocket < 1) {
      throw new IllegalArgumentException("at least one socket of at least one query: " + socketsPerServer + ", " + queriesPerSocket);
    }
    this.socketsPerServer = socketsPerServer;
    this.queriesPerSocket = queriesPerSocket;
    this.randomizeCase = randomizeCase;
    this.sweeper = Thread.ofPlatform().daemon().name("mxwatch-dns-timeouts").start(this::sweep);
  }

  /** Told the fate of one query; called once, on a transport thread or the sender's. */
  interface Receiver {
    /**
     * The answer is in and matched, before it is handed on to be read: called on the thread that
     * received it, which goes straight back to reading, so it must be quick and must not block.
     */
    default void arrived() {}

    /** The answer, already matched to the query by server, ID and question. */
    void answered(byte[] wire);

    /** {@link SocketTimeoutException} when no answer came in time, or another I/O failure. */
    void failed(IOException error);
  }

  /**
   * Sends a wire query to {@code remote}, a resolver (one of few, queried often), over the sockets
   * connected to it, and tells {@code receiver} its answer or failure.
   */
  void send(InetSocketAddress remote, byte[] data, long timeoutNanos, Receiver receiver) {
    if (closed) {
      failed(receiver, new ClosedChannelException());
      return;
    }
    send(servers.computeIfAbsent(remote, Server::new), remote, data, timeoutNanos, receiver);
  }

  /**
   * Sends a wire query to {@code remote}, one of many servers asked now and then (the
   * authoritative servers of watched domains), over the few unconnected sockets they share: a
   * socket per such server would hold thousands of them open. An answer must come from {@code
   * remote}, as on a connected socket, and match the query's ID, case and question. ICMP errors do
   * not reach unconnected sockets: a server that is not listening times out.
   */
  void sendDirect(InetSocketAddress remote, byte[] data, long timeoutNanos, Receiver receiver) {
    if (closed) {
      failed(receiver, new ClosedChannelException());
      return;
    }
    send(direct(), remote, data, timeoutNanos, receiver);
  }

  private Server direct() {
    Server d = direct;
    if (d == null) {
      synchronized (this) {
        d = direct;
        if (d == null) {
          d = new Server(null);
          direct = d;
        }
      }
    }
    return d;
  }

  private void send(Server server, InetSocketAddress remote, byte[] data, long timeoutNanos, Receiver receiver) {
    int id = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
    int questionEnd = questionEnd(data);
    byte[] wire = randomizeCase ? withRandomCase(data, questionEnd) : data;
    Pending pending =
        new Pending(
            remote,
            id,
            wire,
            Arrays.copyOfRange(data, HEADER, questionEnd),
            System.nanoTime() + timeoutNanos,
            receiver);
    Socket socket;
    try {
      socket = server.claim(pending);
    } catch (IOException e) {
      failed(receiver, e);
      return;
    }
    if (socket == null) {
      failed(receiver, new IOException("no free query ID after " + ID_TRIES + " tries: " + id + " and others already in flight"));
      return;
    }
    List<Queued> outbox = OUTBOX.get();
    if (outbox != null) {
      outbox.add(new Queued(socket, pending)); // sent when this receiver's round of answers is done
    } else {
      socket.write(pending);
    }
  }

  /**
   * On a receiver thread, the queries sent while it handles a round of answers (the next lookups
   * of the checks those answers belong to). They go out together when the round is done: the server
   * then finds them waiting together and answers them together, which costs it and this process far
   * fewer wake-ups than a query at a time (a server such as Knot reads and answers many datagrams
   * per system call when they are there to be read).
   */
  private static final ThreadLocal<List<Queued>> OUTBOX = new ThreadLocal<>();

  private record Queued(Socket socket, Pending pending) {}

  /** On a receiver thread, the answers of the round it is reading, handed to its worker after. */
  private static final ThreadLocal<List<Answer>> ROUND = new ThreadLocal<>();

  private record Answer(Receiver receiver, byte[] wire) {}

  /**
   * On a worker thread: the answers a receiver read, each handed to its query, then the queries
   * that started, sent together as a receiver sends them.
   */
  private static void handle(List<List<Answer>> rounds) {
    List<Queued> outbox = OUTBOX.get();
    if (outbox == null) {
      outbox = new ArrayList<>();
      OUTBOX.set(outbox);
    }
    try {
      for (List<Answer> round : rounds) {
        for (Answer a : round) {
          answered(a.receiver(), a.wire());
        }
      }
    } finally {
      flush(outbox);
    }
  }

  /** Sends what the round queued, and what sending it queued in turn (failures call back). */
  private static void flush(List<Queued> outbox) {
    for (int i = 0; i < outbox.size(); i++) {
      Queued q = outbox.get(i);
      q.socket().write(q.pending());
    }
    outbox.clear();
  }

  private static void answered(Receiver receiver, byte[] wire) {
    try {
      receiver.answered(wire);
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      // a bug in one query's handling must not stop the thread that reads everyone's answers
      log.error("handling a DNS answer failed", e);
    }
  }

  private static void arrived(Receiver receiver) {
    try {
      receiver.arrived();
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      log.error("handling a DNS answer's arrival failed", e);
    }
  }

  private static void failed(Receiver receiver, IOException error) {
    try {
      receiver.failed(error);
    } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
      log.error("handling a failed DNS query failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    sweeper.interrupt();
    for (Server server : servers.values()) {
      server.close();
    }
    Server d = direct;
    if (d != null) {
      d.close();
    }
  }

  /** Every server's sockets: the resolvers' and the shared unconnected ones. */
  private List<Server> allServers() {
    List<Server> all = new ArrayList<>(servers.values());
    Server d = direct;
    if (d != null) {
      all.add(d);
    }
    return all;
  }

  /**
   * Makes every socket to {@code remote} in use now behave as if it had received an ICMP
   * port-unreachable. For tests: a real one cannot be forged from an unprivileged process.
   */
  void portUnreachable(InetSocketAddress remote) {
    Server server = servers.get(remote);
    if (server != null) {
      server.inUse().forEach(Socket::unreachable);
    }
  }

  /**
   * Reads answers until {@link #close}. It never stops on its own: a receiver that died would
   * leave its sockets' queries to time out for the rest of the process's life. A failure is
   * logged (the first, then every thousandth in a row) and the loop goes on after a short pause;
   * the queries it may have cost time out as usual.
   */
  private void receive(Selector selector, RoundWorker<Answer> worker) {
    ByteBuffer buffer = ByteBuffer.allocate(65535);
    List<Queued> outbox = new ArrayList<>();
    OUTBOX.set(outbox);
    List<Answer> round = new ArrayList<>();
    ROUND.set(round);
    int failures = 0;
    while (!closed) {
      try {
        selector.select();
        try {
          for (SelectionKey key : selector.selectedKeys()) {
            ((Socket) key.attachment()).drain(buffer);
          }
        } finally {
          if (!round.isEmpty()) {
            worker.hand(round); // parsed and followed up there while this thread reads on
            round = new ArrayList<>();
            ROUND.set(round);
          }
          flush(outbox); // also after a failure: a queued query is never left unsent
        }
        selector.selectedKeys().clear();
        failures = 0;
      } catch (java.nio.channels.ClosedSelectorException e) {
        return; // closed by close()
      } catch (IOException | RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
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

  /** Where the question section of a wire query ends (no compression in a query). */
  private static int questionEnd(byte[] data) {
    int end = HEADER;
    while (end < data.length && data[end] != 0) {
      end += (data[end] & 0xff) + 1;
    }
    return Math.min(data.length, end + 1 + 4); // root label, type, class
  }

  /** A copy of the query with each letter of its name in a random case (0x20). */
  private static byte[] withRandomCase(byte[] data, int questionEnd) {
    byte[] out = data.clone();
    long bits = QueryRandom.bits();
    int used = 0;
    for (int i = HEADER; i < questionEnd - 4 && out[i] != 0; i += (out[i] & 0xff) + 1) {
      for (int j = i + 1; j <= i + (out[i] & 0xff) && j < out.length; j++) {
        byte b = out[j];
        if (Socket.isLetter(b)) {
          if (used == 64) {
            bits = QueryRandom.bits();
            used = 0;
          }
          out[j] = ((bits >>> used++) & 1) == 0 ? (byte) (b | 0x20) : (byte) (b & ~0x20);
        }
      }
    }
    return out;
  }

  /**
   * Every 10 ms, expires the queries whose time is up. It looks at every query in flight, which is
   * bounded by {@code dns.max_in_flight}: cheaper than keeping them in deadline order, which costs
   * every query an ordered insertion and removal. With very many in flight it looks less often
   * (every 1 µs per query it looked at, 100 ms at most): a timeout is never early, at most that late.
   */
  private void sweep() {
    while (!closed) {
      long now = System.nanoTime();
      int looked = 0;
      for (Server server : allServers()) {
        for (Socket socket : server.open) {
          for (Pending p : socket.pending.values()) {
            looked++;
            if (p.deadline - now <= 0 && socket.release(p)) {
              failed(p.receiver, new SocketTimeoutException("query timed out"));
            }
          }
        }
      }
      try {
        Thread.sleep(Duration.ofNanos(Math.min(100_000_000L, Math.max(SWEEP_NANOS, looked * 1_000L))));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One query waiting for its answer. */
  private static final class Pending {
    /** The server it is sent to, the only one whose answer counts. */
    final InetSocketAddress remote;
    /** The query's ID; another random one when it is in flight on every socket already. */
    int id;
    /** The query as sent (letters in random case, the ID it has now). */
    byte[] wire;
    /** The question as asked, given back in the answer handed on. */
    final byte[] asked;
    final long deadline;
    final Receiver receiver;
    /** The socket it waits on; changes when it is sent again after an ICMP error. */
    volatile Socket socket;

    Pending(InetSocketAddress remote, int id, byte[] wire, byte[] asked, long deadline, Receiver receiver) {
      this.remote = remote;
      this.id = id;
      this.wire = wire;
      this.asked = asked;
      this.deadline = deadline;
      this.receiver = receiver;
    }

    /** Takes another random ID (before it is registered anywhere), in a copy of the wire query. */
    void newId() {
      id = QueryRandom.id();
      wire = wire.clone(); // the caller's array may be the wire query itself
      wire[0] = (byte) (id >>> 8);
      wire[1] = (byte) id;
    }
  }

  /**
   * The sockets to one server: {@code socketsPerServer} in rotation, each replaced by a new one
   * after {@code queriesPerSocket} queries, plus single-query sockets for queries sent again after
   * an ICMP error. A socket taken out of rotation stays open until its last query is over.
   */
  private final class Server {
    /** The server the sockets are connected to; null for the unconnected sockets of {@link #sendDirect}. */
    final InetSocketAddress remote;
    final String name;
    private final Socket[] rotation = new Socket[socketsPerServer];
    private final List<Selector> selectors = new ArrayList<>();
    private final List<RoundWorker<Answer>> workers = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private int next;
    private boolean caseWarned;

    Server(InetSocketAddress remote) {
      this.remote = remote;
      this.name = remote == null ? "nameservers" : DnsClient.describe(remote);
    }

    /**
     * A socket on which the query's ID is free, with the query registered: the next in rotation, or
     * when its ID is in flight on every socket, under a fresh random ID; null after {@value
     * #ID_TRIES} IDs.
     */
    synchronized Socket claim(Pending pending) throws IOException {
      if (closed) {
        throw new ClosedChannelException();
      }
      for (int tries = 0; tries < ID_TRIES; tries++) {
        if (tries > 0) {
          pending.newId();
        }
        for (int i = 0; i < rotation.length; i++) {
          int slot = Math.floorMod(next++, rotation.length);
          Socket socket = rotation[slot];
          if (socket == null || socket.sent >= queriesPerSocket || socket.retired) {
            if (socket != null) {
              socket.retire();
            }
            socket = open(slot, false);
            rotation[slot] = socket;
          }
          if (socket.pending.putIfAbsent(pending.id, pending) == null) {
            socket.sent++;
            pending.socket = socket;
            return socket;
          }
        }
      }
      return null;
    }

    /** A socket of its own for {@code pending}, sent again after an ICMP error on its socket. */
    synchronized Socket alone(Pending pending) throws IOException {
      if (closed) {
        throw new ClosedChannelException();
      }
      Socket socket = open(-1, true);
      socket.pending.put(pending.id, pending);
      pending.socket = socket;
      return socket;
    }

    /**
     * Opens a non-blocking socket, connected to the server (unconnected for {@link #sendDirect}),
     * read by one of the server's selector threads.
     */
    private Socket open(int slot, boolean single) throws IOException {
      if (selectors.isEmpty()) {
        startReceivers();
      }
      // A resolver's sockets are of its own address family: an IPv4 query sent from an IPv6
      // socket to a mapped address is routed again on every send, like one to an unconnected
      // socket. The shared unconnected sockets reach servers of both families.
      DatagramChannel channel =
          remote == null
              ? DatagramChannel.open()
              : DatagramChannel.open(remote.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
      try {
        // answers wait here while the receiver is busy; the kernel caps it at rmem_max
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        if (remote != null) {
          channel.connect(remote); // binds a new ephemeral port
        } else {
          channel.bind(null); // a new ephemeral port, answers from anyone (checked per query)
        }
        channel.configureBlocking(false);
        Socket socket = new Socket(this, channel, single);
        Selector selector = selectors.get(Math.floorMod(slot < 0 ? next : slot, selectors.size()));
        channel.register(selector, SelectionKey.OP_READ, socket);
        selector.wakeup(); // a selector blocked in select() sees a new key only on its next round
        open.add(socket);
        return socket;
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
        throw e;
      }
    }

    private void startReceivers() throws IOException {
      int threads = Math.max(1, Math.min(socketsPerServer, Runtime.getRuntime().availableProcessors()));
      for (int t = 0; t < threads; t++) {
        selectors.add(Selector.open());
      }
      for (int t = 0; t < threads; t++) {
        Selector selector = selectors.get(t);
        RoundWorker<Answer> worker = new RoundWorker<>("mxwatch-dns-answers-" + t + "-" + name, UdpTransport::handle);
        workers.add(worker);
        Thread.ofPlatform().daemon().name("mxwatch-dns-udp-" + t + "-" + name).start(() -> receive(selector, worker));
      }
    }

    /** The sockets with queries on them or in rotation. */
    List<Socket> inUse() {
      return List.copyOf(open);
    }

    /** Closes a socket taken out of rotation once its last query is over. */
    synchronized void closeIfDone(Socket socket) {
      if (socket.retired && socket.pending.isEmpty() && open.remove(socket)) {
        closeQuietly(socket.channel);
      }
    }

    /** An answer from {@code from} whose question differs from the query's only in its letters' case. */
    void caseChanged(InetSocketAddress from) {
      synchronized (this) {
        if (caseWarned) {
          return;
        }
        caseWarned = true;
      }
      if (remote == null) {
        log.warn(
            "an answer from nameserver {} did not repeat the letters' case of the query's name (0x20) and was dropped as possibly"
                + " forged: that nameserver looks silent; dns.case_randomization: false turns the check off (logged once)",
            DnsClient.describe(from));
        return;
      }
      log.warn(
          "an answer from {} did not repeat the letters' case of the query's name (0x20) and was dropped as possibly"
              + " forged; if this resolver changes the case of every answer, set dns.case_randomization: false",
          name);
    }

    void close() {
      List<Socket> all;
      synchronized (this) {
        all = List.copyOf(open);
        open.clear();
      }
      for (Socket socket : all) {
        closeQuietly(socket.channel);
        socket.failAll(new ClosedChannelException());
      }
      List<Selector> toClose;
      synchronized (this) {
        toClose = List.copyOf(selectors);
      }
      toClose.forEach(UdpTransport::closeQuietly);
      synchronized (this) {
        workers.forEach(RoundWorker::stop);
      }
    }
  }

  /**
   * One socket and the queries in flight on it, by ID: connected to its server, or unconnected and
   * shared by many ({@link #sendDirect}), where each answer must come from its query's server.
   */
  private final class Socket {
    final Server server;
    final DatagramChannel channel;
    /** Carries one query, sent again after an ICMP error on a shared socket. */
    final boolean single;
    final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    /** Queries sent on it (under the server's lock). */
    int sent;
    /** Out of rotation: takes no new query, closes after its last. */
    volatile boolean retired;

    Socket(Server server, DatagramChannel channel, boolean single) {
      this.server = server;
      this.channel = channel;
      this.single = single;
      this.retired = single;
    }

    void write(Pending p) {
      try {
        int sent = server.remote != null ? channel.write(ByteBuffer.wrap(p.wire)) : channel.send(ByteBuffer.wrap(p.wire), p.remote);
        if (sent == 0) {
          throw new IOException("UDP send buffer full");
        }
      } catch (IOException e) {
        if (release(p)) {
          failed(p.receiver, e);
        }
      }
    }

    /** Takes {@code p} off this socket; whether it was still waiting here. */
    boolean release(Pending p) {
      boolean removed = pending.remove(p.id, p);
      if (removed && retired) {
        server.closeIfDone(this);
      }
      return removed;
    }

    void retire() {
      retired = true;
      server.closeIfDone(this);
    }

    /** Reads every datagram waiting on this socket. */
    void drain(ByteBuffer buffer) {
      while (channel.isOpen()) {
        buffer.clear();
        int length;
        java.net.SocketAddress from = server.remote;
        try {
          if (server.remote != null) {
            length = channel.read(buffer);
          } else {
            from = channel.receive(buffer);
            length = from == null ? 0 : buffer.position();
          }
        } catch (PortUnreachableException e) {
          unreachable();
          continue;
        } catch (IOException e) {
          if (channel.isOpen()) {
            log.warn("receiving from {} failed", server.name, e);
          }
          return;
        }
        if (length == 0 && (server.remote != null || from == null)) {
          return;
        }
        accept(buffer.array(), length, from);
      }
    }

    private void accept(byte[] bytes, int length, java.net.SocketAddress from) {
      if (length < HEADER || (bytes[2] & 0x80) == 0 || (bytes[2] & 0x78) != 0) {
        return; // not a response (QR clear), or not to a standard query (opcode other than QUERY)
      }
      int id = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
      Pending p = pending.get(id);
      if (p == null || server.remote == null && !sameServer(p.remote, from)) {
        return; // late, spoofed or foreign: not an answer to anything waiting
      }
      int question = p.asked.length;
      if (length < HEADER + question || !Arrays.equals(p.wire, HEADER, HEADER + question, bytes, HEADER, HEADER + question)) {
        if (length >= HEADER + question && sameIgnoringCase(p.wire, bytes, HEADER, HEADER + question)) {
          server.caseChanged(p.remote);
        }
        return;
      }
      if (release(p)) {
        arrived(p.receiver);
        byte[] answer = Arrays.copyOf(bytes, length);
        System.arraycopy(p.asked, 0, answer, HEADER, question); // the name as asked: its case is a transport detail
        List<Answer> round = ROUND.get();
        if (round != null) {
          round.add(new Answer(p.receiver, answer));
        } else {
          answered(p.receiver, answer);
        }
      }
    }

    /**
     * An ICMP port-unreachable arrived on this socket. On a socket of one query it is that query's
     * answer: nothing listens at the server. On a shared socket it cannot be told which query it
     * belongs to, or whether it is real: the socket leaves the rotation, and each query on it is
     * sent again on a socket of its own.
     */
    void unreachable() {
      retired = true;
      for (Pending p : List.copyOf(pending.values())) {
        if (!pending.remove(p.id, p)) {
          continue;
        }
        if (single || closed) {
          failed(p.receiver, new PortUnreachableException("nothing listening at " + server.name));
          continue;
        }
        try {
          Socket alone = server.alone(p);
          if (p.deadline - System.nanoTime() > 0) {
            alone.write(p);
          } else if (alone.release(p)) {
            failed(p.receiver, new SocketTimeoutException("query timed out")); // its time ran out while it moved
          }
        } catch (IOException e) {
          failed(p.receiver, e);
        }
      }
      server.closeIfDone(this);
    }

    void failAll(IOException error) {
      for (Pending p : pending.values()) {
        if (pending.remove(p.id, p)) {
          failed(p.receiver, error);
        }
      }
    }

    /** Whether a datagram from {@code from} comes from {@code remote} (an IPv4 address may come back IPv4-mapped). */
    private static boolean sameServer(InetSocketAddress remote, java.net.SocketAddress from) {
      if (!(from instanceof InetSocketAddress f) || f.getPort() != remote.getPort()) {
        return false;
      }
      java.net.InetAddress a = f.getAddress();
      if (a instanceof java.net.Inet6Address v6 && remote.getAddress() instanceof java.net.Inet4Address) {
        byte[] b = v6.getAddress();
        boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
          mapped = b[i] == 0;
        }
        return mapped && Arrays.equals(Arrays.copyOfRange(b, 12, 16), remote.getAddress().getAddress());
      }
      return a.equals(remote.getAddress());
    }

    private static boolean sameIgnoringCase(byte[] a, byte[] b, int from, int to) {
      for (int i = from; i < to; i++) {
        if (a[i] != b[i] && !(isLetter(a[i]) && (a[i] | 0x20) == (b[i] | 0x20))) {
          return false;
        }
      }
      return true;
    }

    private static boolean isLetter(byte c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
  }
}
