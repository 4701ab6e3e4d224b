package io.mxwatch.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server inside the test JVM, on a loopback UDP and TCP port of its own.
 * Tests set its data (zone-file text or records), change it between checks, and inject faults:
 * drop, delay, SERVFAIL, REFUSED, truncation (TC over UDP, full answer over TCP).
 *
 * <p>Data is a flat map of owner name to records; a name with no records that has descendants is
 * an empty non-terminal (NODATA), any other unknown name is NXDOMAIN. CNAMEs are followed within
 * the data, as a recursive resolver would put the chain in its answer.
 */
public final class TestDnsServer implements AutoCloseable {

  /**
   * A question as the server saw it.
   *
   * @param name the name asked for, in lower case
   * @param sent the name as it arrived, letters in the case the client sent them
   */
  public record Query(Name name, int type, boolean tcp, String sent) {
    public boolean is(String owner, int queryType) {
      return name.equals(TestDnsServer.name(owner)) && type == queryType;
    }

    @Override
    public String toString() {
      return name + "/" + Type.string(type) + (tcp ? "/tcp" : "/udp");
    }
  }

  /** What to do instead of answering normally. */
  public sealed interface Fault {
    /** Never answer. */
    record Drop() implements Fault {}

    /** Answer normally after a delay. */
    record Delay(Duration delay) implements Fault {}

    /** Answer with this rcode and nothing else. */
    record Rcode(int rcode) implements Fault {}

    /** Over UDP answer with TC set and no records; over TCP answer normally. */
    record Truncate() implements Fault {}

    /** Answer without authority (AA clear) and without records, as a lame server does. */
    record NotAuthoritative() implements Fault {}

    static Fault notAuthoritative() {
      return new NotAuthoritative();
    }

    static Fault drop() {
      return new Drop();
    }

    static Fault delay(Duration delay) {
      return new Delay(delay);
    }

    static Fault servfail() {
      return new Rcode(org.xbill.DNS.Rcode.SERVFAIL);
    }

    static Fault refused() {
      return new Rcode(org.xbill.DNS.Rcode.REFUSED);
    }

    static Fault truncate() {
      return new Truncate();
    }
  }

  private record Rule(Predicate<Query> when, Fault fault, AtomicInteger remaining) {}

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<Name, List<Record>> data = new ConcurrentHashMap<>();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Query> log = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private TestDnsServer(InetAddress bind, int port) throws IOException {
    DatagramSocket boundUdp = null;
    ServerSocket boundTcp = null;
    for (int tries = 0; tries < (port == 0 ? 20 : 1) && boundTcp == null; tries++) {
      boundUdp = new DatagramSocket(new InetSocketAddress(bind, port));
      try {
        boundTcp = new ServerSocket();
        boundTcp.setReuseAddress(true);
        boundTcp.bind(new InetSocketAddress(bind, boundUdp.getLocalPort()));
      } catch (IOException portTaken) {
        boundUdp.close();
        boundTcp = null;
      }
    }
    if (boundTcp == null) {
      throw new IOException("no UDP+TCP port pair free on " + bind);
    }
    this.udp = boundUdp;
    this.tcp = boundTcp;
    Thread.ofPlatform().daemon().name("test-dns-udp-" + port()).start(this::serveUdp);
    Thread.ofPlatform().daemon().name("test-dns-tcp-" + port()).start(this::serveTcp);
  }

  /** Starts a server on 127.0.0.1. */
  public static TestDnsServer start() {
    return start(InetAddress.getLoopbackAddress());
  }

  public static TestDnsServer start(InetAddress bind) {
    return start(bind, 0);
  }

  /** Starts a server on {@code bind} and {@code port} (0: any free port), UDP and TCP. */
  public static TestDnsServer start(InetAddress bind, int port) {
    try {
      return new TestDnsServer(bind, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Servers on each of {@code addresses}, all on one port, as nameservers are (on 53 in
   * production); tries other ports when one is taken at some address.
   */
  public static List<TestDnsServer> startAll(List<String> addresses) {
    for (int attempt = 0; attempt < 20; attempt++) {
      List<TestDnsServer> started = new java.util.ArrayList<>();
      try {
        TestDnsServer first = start(InetAddress.getByName(addresses.getFirst()));
        started.add(first);
        for (String a : addresses.subList(1, addresses.size())) {
          started.add(start(InetAddress.getByName(a), first.port()));
        }
        return started;
      } catch (IOException | UncheckedIOException taken) {
        started.forEach(TestDnsServer::close);
      }
    }
    throw new IllegalStateException("no port free at every one of " + addresses);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
  }

  public int port() {
    return udp.getLocalPort();
  }

  /**
   * Adds the records of zone-file text, relative names taken from {@code origin}, default TTL 300.
   * Replaces what was served for the owner names and types it mentions.
   */
  public TestDnsServer load(String origin, String zoneText) {
    List<Record> records = parse(origin, zoneText);
    Map<Name, Map<Integer, Boolean>> cleared = new java.util.HashMap<>();
    for (Record record : records) {
      if (cleared.computeIfAbsent(record.getName(), n -> new java.util.HashMap<>())
              .put(record.getType(), true)
          == null) {
        remove(record.getName(), record.getType());
      }
    }
    records.forEach(this::add);
    return this;
  }

  /** Replaces everything served under {@code origin} (and the origin itself) with zone text. */
  public TestDnsServer replace(String origin, String zoneText) {
    clear(origin);
    parse(origin, zoneText).forEach(this::add);
    return this;
  }

  /** Removes every record at and below {@code origin}. */
  public TestDnsServer clear(String origin) {
    Name top = name(origin);
    data.keySet().removeIf(n -> n.subdomain(top));
    return this;
  }

  public TestDnsServer add(Record record) {
    data.compute(
        record.getName(),
        (n, old) -> {
          List<Record> list = old == null ? new ArrayList<>() : new ArrayList<>(old);
          list.add(record);
          return List.copyOf(list);
        });
    return this;
  }

  /** Removes the records of {@code type} at {@code owner}. */
  public TestDnsServer remove(Name owner, int type) {
    data.computeIfPresent(
        owner,
        (n, old) -> {
          List<Record> kept = old.stream().filter(r -> r.getType() != type).toList();
          return kept.isEmpty() ? null : kept;
        });
    return this;
  }

  public TestDnsServer remove(String owner, int type) {
    return remove(name(owner), type);
  }

  /** Applies {@code fault} to every query matching {@code when}, until removed. */
  public TestDnsServer fault(Predicate<Query> when, Fault fault) {
    rules.add(new Rule(when, fault, new AtomicInteger(Integer.MAX_VALUE)));
    return this;
  }

  /** Applies {@code fault} to the next {@code times} queries matching {@code when}. */
  public TestDnsServer fault(Predicate<Query> when, Fault fault, int times) {
    rules.add(new Rule(when, fault, new AtomicInteger(times)));
    return this;
  }

  /** Applies {@code fault} to queries for {@code owner}/{@code type}. */
  public TestDnsServer fault(String owner, int type, Fault fault) {
    return fault(q -> q.is(owner, type), fault);
  }

  public TestDnsServer clearFaults() {
    rules.clear();
    return this;
  }

  /** Every query received so far. */
  public List<Query> queries() {
    return List.copyOf(log);
  }

  public long count(String owner, int type) {
    return log.stream().filter(q -> q.is(owner, type)).count();
  }

  public void clearLog() {
    log.clear();
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    workers.shutdownNow();
  }

  /**
   * A zone-file TXT line at {@code owner} holding {@code text} (no quotes in it), cut into strings
   * of at most 255 characters, which a reader of SPF or DMARC joins again.
   */
  public static String txt(String owner, String text) {
    StringBuilder line = new StringBuilder(owner).append(" TXT");
    for (int from = 0; from < text.length(); from += 255) {
      line.append(" \"").append(text, from, Math.min(text.length(), from + 255)).append('"');
    }
    return line.append('\n').toString();
  }

  public static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static List<Record> parse(String origin, String zoneText) {
    List<Record> records = new ArrayList<>();
    try (Master master =
        new Master(
            new ByteArrayInputStream(zoneText.getBytes(StandardCharsets.UTF_8)),
            name(origin),
            300)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        records.add(r);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("bad zone text for " + origin + ": " + e.getMessage(), e);
    }
    return records;
  }

  // ---- serving ----

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      byte[] in = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
      var client = packet.getSocketAddress();
      workers.execute(
          () -> {
            byte[] out = respond(in, false);
            if (out != null) {
              try {
                udp.send(new DatagramPacket(out, out.length, client));
              } catch (IOException ignored) {
                // client gone
              }
            }
          });
    }
  }

  private void serveTcp() {
    while (!closed) {
      Socket socket;
      try {
        socket = tcp.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      workers.execute(() -> serveConnection(socket));
    }
  }

  private void serveConnection(Socket socket) {
    try (socket;
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
      socket.setSoTimeout(30_000);
      while (true) {
        int length = in.readUnsignedShort();
        byte[] query = in.readNBytes(length);
        byte[] answer = respond(query, true);
        if (answer == null) {
          continue;
        }
        out.writeShort(answer.length);
        out.write(answer);
        out.flush();
      }
    } catch (EOFException | SocketException e) {
      // client closed
    } catch (IOException e) {
      // ignore: a test server
    }
  }

  /** The wire answer to a wire query, or null to stay silent. */
  private byte[] respond(byte[] wire, boolean overTcp) {
    Message query;
    try {
      query = new Message(wire);
    } catch (IOException e) {
      return null;
    }
    Record question = query.getQuestion();
    if (question == null) {
      return null;
    }
    Query seen = new Query(question.getName().canonicalize(), question.getType(), overTcp, question.getName().toString());
    log.add(seen);
    Fault fault = faultFor(seen);
    if (fault instanceof Fault.Drop) {
      return null;
    }
    if (fault instanceof Fault.Delay delay) {
      try {
        Thread.sleep(delay.delay()); // simulates a slow server, not test synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    response.addRecord(question, Section.QUESTION);
    if (query.getOPT() != null) {
      response.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    if (fault instanceof Fault.Rcode rcode) {
      response.getHeader().setRcode(rcode.rcode());
      return response.toWire();
    }
    if (fault instanceof Fault.NotAuthoritative) {
      response.getHeader().unsetFlag(Flags.AA);
      return response.toWire();
    }
    if (fault instanceof Fault.Truncate && !overTcp) {
      response.getHeader().setFlag(Flags.TC);
      return response.toWire();
    }
    answer(response, question.getName(), question.getType());
    if (query.getOPT() != null && (query.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0) {
      addSignatures(response);
    }
    return response.toWire(overTcp ? 65535 : maxUdp(query));
  }

  private static int maxUdp(Message query) {
    return query.getOPT() == null ? 512 : Math.max(512, query.getOPT().getPayloadSize());
  }

  private Fault faultFor(Query query) {
    for (Rule rule : rules) {
      if (rule.when().test(query) && rule.remaining().getAndDecrement() > 0) {
        return rule.fault();
      }
    }
    return null;
  }

  private void answer(Message response, Name qname, int qtype) {
    Name current = qname;
    for (int hop = 0; hop < 10; hop++) {
      List<Record> records = data.getOrDefault(current, List.of());
      List<Record> matching = records.stream().filter(r -> r.getType() == qtype).toList();
      if (!matching.isEmpty()) {
        matching.forEach(r -> response.addRecord(r, Section.ANSWER));
        return;
      }
      var cname =
          records.stream().filter(r -> r.getType() == Type.CNAME).findFirst().map(r -> (CNAMERecord) r);
      if (cname.isPresent() && qtype != Type.CNAME) {
        response.addRecord(cname.get(), Section.ANSWER);
        current = cname.get().getTarget();
        continue;
      }
      if (records.isEmpty() && !hasDescendants(current)) {
        response.getHeader().setRcode(Rcode.NXDOMAIN);
      }
      response.addRecord(loadedSoa(current) != null ? loadedSoa(current) : soaFor(current), Section.AUTHORITY);
      return;
    }
  }

  /**
   * DNSSEC for a query with DO: the RRSIGs served with every RRset of the answer and authority
   * sections (loaded like any record, e.g. by {@link SignedZone}), and for a negative answer from
   * a zone with NSEC records, all of them (with their RRSIGs): more than a proof needs, which a
   * validator accepts.
   */
  private void addSignatures(Message response) {
    int qtype = response.getQuestion().getType();
    boolean negative = response.getSection(Section.ANSWER).stream().noneMatch(r -> r.getType() == qtype);
    Record soa = response.getSection(Section.AUTHORITY).stream().filter(r -> r.getType() == Type.SOA).findFirst().orElse(null);
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record sig : signaturesOf(response.getSection(section))) {
        response.addRecord(sig, section);
      }
    }
    if (negative && soa != null) {
      List<Record> proof = new ArrayList<>();
      for (List<Record> records : data.values()) {
        for (Record r : records) {
          if (r.getType() == Type.NSEC && r.getName().subdomain(soa.getName())) {
            proof.add(r);
          }
        }
      }
      proof.forEach(r -> response.addRecord(r, Section.AUTHORITY));
      signaturesOf(proof).forEach(r -> response.addRecord(r, Section.AUTHORITY));
    }
  }

  /** The loaded RRSIGs covering the RRsets of {@code records}. */
  private List<Record> signaturesOf(List<Record> records) {
    List<Record> signatures = new ArrayList<>();
    java.util.Set<String> rrsets = new java.util.HashSet<>();
    for (Record r : records) {
      if (r.getType() != Type.RRSIG && rrsets.add(r.getName() + "/" + r.getType())) {
        for (Record candidate : data.getOrDefault(r.getName(), List.of())) {
          if (candidate instanceof org.xbill.DNS.RRSIGRecord sig && sig.getTypeCovered() == r.getType()) {
            signatures.add(sig);
          }
        }
      }
    }
    return signatures;
  }

  private boolean hasDescendants(Name name) {
    Collection<Name> names = data.keySet();
    for (Name n : names) {
      if (!n.equals(name) && n.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  /** The SOA record loaded at the closest zone apex above {@code name}, or null. */
  private Record loadedSoa(Name name) {
    for (Name n = name; n.labels() > 1; n = new Name(n, 1)) {
      for (Record r : data.getOrDefault(n, List.of())) {
        if (r.getType() == Type.SOA) {
          return r;
        }
      }
    }
    return null;
  }

  private static Record soaFor(Name name) {
    Name zone = name.labels() > 2 ? new Name(name, name.labels() - 3) : name;
    try {
      return new SOARecord(
          zone,
          DClass.IN,
          60,
          Name.fromString("ns", zone),
          Name.fromString("hostmaster", zone),
          1,
          3600,
          600,
          86400,
          60);
    } catch (TextParseException e) {
      throw new IllegalStateException(e);
    }
  }
}
