package io.mxwatch.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The one long-lived DNS client of the process: sends each query without a cache, retries it on
 * the configured servers in turn, and turns whatever comes back into a {@link DnsOutcome}.
 *
 * <p>Queries are asynchronous end to end (no thread per query: UDP goes over a few multiplexed
 * sockets that rotate, {@link UdpTransport}; TCP over dnsjava's NIO client) and at most
 * {@link DnsSettings#maxInFlight()} are outstanding at once. Truncated UDP answers are retried over
 * TCP (dnsjava's NIO client). Nothing is ever thrown for what the network said.
 */
public final class DnsClient implements AutoCloseable {
  static final DnsOutcome DEADLINE_EXPIRED =
      new DnsOutcome.Timeout("the check's deadline ran out before an answer");

  /** CNAME chains longer than this are treated as a loop. */
  private static final int MAX_CNAME_CHAIN = 12;

  /**
   * UDP sockets per server in rotation, queries multiplexed over them by ID, each read by a receiver
   * thread of its own: one for every two processors, so that the rest is left to the JIT, the
   * output and a resolver on the same machine. More sockets do not make a check faster: the
   * server's load is spread by source port, so each socket more splits the answers into smaller
   * batches and costs both sides more wake-ups (against Knot on two cores, eight sockets cost Knot
   * 8.2 s of CPU for 900,000 queries, one socket 4.9 s, and mxwatch 4 s more).
   */
  static final int SOCKETS_PER_SERVER = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  /** EDNS(0) UDP payload size recommended by DNS Flag Day 2020. */
  private static final int EDNS_PAYLOAD = 1232;


  private final DnsSettings settings;
  private final AsyncLimiter limiter;
  private final Executor executor;
  private final UdpTransport udp;
  private final long timeoutNanos;
  /** How each server is named in outcomes, e.g. {@code 127.0.0.1:53}. */
  private final Map<InetSocketAddress, String> serverNames = new HashMap<>();

  /**
   * @param executor runs the rare TCP exchanges' parsing; it must not block (a direct executor is
   *     fine). UDP answers are handled on the transport's own threads.
   */
  public DnsClient(DnsSettings settings, Executor executor) {
    this.settings = settings;
    this.executor = executor;
    this.limiter = new AsyncLimiter(settings.maxInFlight());
    this.udp = new UdpTransport(SOCKETS_PER_SERVER, settings.caseRandomization());
    this.timeoutNanos = settings.timeout().toNanos();
    settings.resolvers().forEach(server -> serverNames.put(server, describe(server)));
  }

  /** Closes the sockets; queries still in flight fail. */
  @Override
  public void close() {
    udp.close();
  }

  public DnsSettings settings() {
    return settings;
  }

  /** Queries outstanding right now. */
  public int inFlight() {
    return limiter.running();
  }

  /** Queries waiting for a free slot right now. */
  public int queued() {
    return limiter.queued();
  }

  /** Looks up {@code type} records at {@code name}. The future never completes exceptionally. */
  public CompletableFuture<DnsOutcome> query(Name name, int type) {
    return query(name, type, Long.MAX_VALUE);
  }

  /**
   * Looks up {@code type} records at {@code name}, giving up at {@code deadlineNanos} (a {@link
   * System#nanoTime()} value): no attempt waits past it and none starts after it. The future never
   * completes exceptionally.
   */
  public CompletableFuture<DnsOutcome> query(Name name, int type, long deadlineNanos) {
    return start(name, type, deadlineNanos, false).result;
  }

  /**
   * A DNSSEC exchange for a validator: {@code type} at {@code name} with DO (signatures wanted) and
   * CD (the resolver's own validation off, so that bogus data reaches the validator), with the
   * same slots, retries, TCP fallback and deadline as {@link #query}. The future completes with
   * the last reply and its outcome; without a reply, with the outcome alone (a failure).
   */
  public CompletableFuture<Exchange> exchange(Name name, int type, long deadlineNanos) {
    Query query = start(name, type, deadlineNanos, true);
    return query.result.thenApply(outcome -> new Exchange(outcome, query.response));
  }

  /** What {@link #exchange} got: the outcome and the reply it came from (null: no reply). */
  public record Exchange(DnsOutcome outcome, Message response) {}

  /**
   * Asks {@code server} itself, not the resolvers, for {@code type} at {@code name}, without
   * recursion (RD clear): what an authoritative server says of its zone, with its reply (AA, the
   * authority section of a referral). Retries go to the same server; the same slots, TCP fallback
   * and deadline as {@link #query}. The future never completes exceptionally.
   */
  public CompletableFuture<Exchange> exchangeAt(InetSocketAddress server, Name name, int type, long deadlineNanos) {
    Query query = start(name, type, deadlineNanos, false, server);
    return query.result.thenApply(outcome -> new Exchange(outcome, query.response));
  }

  private Query start(Name name, int type, long deadlineNanos, boolean dnssec) {
    return start(name, type, deadlineNanos, dnssec, null);
  }

  private Query start(Name name, int type, long deadlineNanos, boolean dnssec, InetSocketAddress server) {
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("name must be absolute: " + name);
    }
    Query query = new Query(name, type, deadlineNanos, dnssec, server);
    limiter.submit(query);
    return query;
  }

  /**
   * One lookup from the moment it gets a slot to its outcome: an attempt on each server in turn,
   * over UDP and over TCP when the UDP answer is truncated. Attempts run one after the other, each
   * started by the transport's callback on the previous one, so a query holds no thread.
   *
   * <p>A slot is what {@code max_in_flight} bounds: a query on its way to a server or being
   * answered there. It is held from the start of an attempt until its answer arrives, or the
   * attempt fails without one, and handed on at arrival, on the thread that read the answer: the
   * next query goes out while this answer is parsed, so the servers always have as many queries as
   * allowed, however long the answers wait to be read. An attempt after an answer (a SERVFAIL, a
   * truncated answer asked again over TCP) waits for a slot again; one after a timeout keeps its own.
   */
  private final class Query implements Runnable, UdpTransport.Receiver {
    final Name name;
    final int type;
    final long deadlineNanos;
    /** A DNSSEC exchange ({@link #exchange}): DO and CD set, the reply kept. */
    final boolean dnssec;
    /** The server asked directly without recursion ({@link #exchangeAt}), the reply kept; null: the resolvers. */
    final InetSocketAddress direct;
    final CompletableFuture<DnsOutcome> result = new CompletableFuture<>();
    /** The reply of the latest attempt that got one (kept for {@link #exchange} only). */
    volatile Message response;
    private int attempt;
    private InetSocketAddress server;
    private byte[] wire;
    /** This attempt's timeout: the configured one, or less when the deadline is nearer. */
    private long attemptNanos;
    /**
     * Whether this query holds one of the limiter's slots: from the moment an attempt is given one
     * until its answer has arrived, or it failed. An answer that has arrived no longer loads the
     * server, so its slot goes to the next query at once, before the answer is read.
     */
    private volatile boolean holdsSlot;

    Query(Name name, int type, long deadlineNanos, boolean dnssec, InetSocketAddress direct) {
      this.name = name;
      this.type = type;
      this.deadlineNanos = deadlineNanos;
      this.dnssec = dnssec;
      this.direct = direct;
    }

    /** Whether the reply is kept for the caller. */
    private boolean keepsReply() {
      return dnssec || direct != null;
    }

    /** Runs when the limiter gives this query (its next attempt) a slot. */
    @Override
    public void run() {
      holdsSlot = true;
      try {
        send();
      } catch (RuntimeException e) {
        finish(new DnsOutcome.Error("query not sent: " + e));
      }
    }

    /** Frees the slot this query holds, if it holds one; the next query waiting takes it. */
    private void releaseSlot() {
      if (holdsSlot) {
        holdsSlot = false;
        limiter.release();
      }
    }

    /** On the transport's receiving thread: the answer is in, and the server done with it. */
    @Override
    public void arrived() {
      releaseSlot();
    }

    private void send() {
      long remaining = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        finish(DEADLINE_EXPIRED);
        return;
      }
      attemptNanos = Math.min(remaining, timeoutNanos);
      if (direct != null) {
        server = direct;
        wire = queryWire(name, type, false, false);
        udp.sendDirect(server, wire, attemptNanos, this);
        return;
      }
      server = settings.resolvers().get(attempt % settings.resolvers().size());
      wire = queryWire(name, type, dnssec);
      udp.send(server, wire, attemptNanos, this);
    }

    @Override
    public void answered(byte[] answer) {
      Message response;
      try {
        response = new Message(answer);
      } catch (IOException | RuntimeException e) {
        done(new DnsOutcome.Error("malformed answer from " + where()));
        return;
      }
      if (response.getHeader().getFlag(Flags.TC)) {
        limiter.submit(this::overTcp); // with a slot of its own, as every exchange
        return;
      }
      if (keepsReply()) {
        this.response = response;
      }
      done(fromResponse(response, name, type, this::where));
    }

    /**
     * The truncated query again over TCP, when the limiter gives it a slot: within what is left of
     * the attempt's time and the check's deadline, not a whole attempt's time again.
     */
    private void overTcp() {
      holdsSlot = true;
      long left = deadlineNanos == Long.MAX_VALUE ? attemptNanos : Math.min(attemptNanos, deadlineNanos - System.nanoTime());
      if (left <= 0) {
        done(DEADLINE_EXPIRED);
        return;
      }
      tcp(server, wire, Duration.ofNanos(left))
          .whenComplete(
              (full, error) -> {
                releaseSlot();
                if (full != null && keepsReply()) {
                  this.response = full;
                }
                done(error != null ? fromError(error, where() + " (tcp)") : fromResponse(full, name, type, this::where));
              });
    }

    @Override
    public void failed(IOException error) {
      done(fromError(error, where()));
    }

    /** How the server asked is named in outcomes; asked only for an outcome that names it. */
    private String where() {
      String known = serverNames.get(server);
      return known != null ? known : describe(server);
    }

    /** The outcome of one attempt: the query's, unless it failed and another attempt is due. */
    private void done(DnsOutcome outcome) {
      if (outcome instanceof DnsOutcome.Failure && attempt + 1 < settings.attempts()) {
        attempt++;
        if (holdsSlot) {
          run(); // no answer came (a timeout, an I/O error): the slot goes on to the next attempt
        } else {
          limiter.submit(this); // the answer freed the slot: the next attempt waits for one
        }
        return;
      }
      finish(finalOutcome(outcome));
    }

    private void finish(DnsOutcome outcome) {
      releaseSlot();
      result.complete(outcome);
    }
  }

  /**
   * A recursive query (RD) for {@code type} records at {@code name} with EDNS(0) and an
   * unpredictable ID, as wire bytes.
   */
  static byte[] queryWire(Name name, int type) {
    return queryWire(name, type, false);
  }

  /** The same, with {@code dnssec}: DO (signatures wanted) and CD (checking disabled) set. */
  static byte[] queryWire(Name name, int type, boolean dnssec) {
    return queryWire(name, type, dnssec, true);
  }

  /** The same, with recursion desired (RD) or not (a question for an authoritative server). */
  static byte[] queryWire(Name name, int type, boolean dnssec, boolean recursive) {
    DNSOutput out = new DNSOutput(12 + name.length() + 4 + 11);
    out.writeU16(QueryRandom.id()); // with the source port and the name's case, what a forger must guess
    // a standard query
    out.writeU16((recursive ? 1 << (15 - Flags.RD) : 0) | (dnssec ? 1 << (15 - Flags.CD) : 0));
    out.writeU16(1); // QDCOUNT
    out.writeU16(0); // ANCOUNT
    out.writeU16(0); // NSCOUNT
    out.writeU16(1); // ARCOUNT: the OPT record
    name.toWire(out, null);
    out.writeU16(type);
    out.writeU16(DClass.IN);
    out.writeU8(0); // OPT: root owner
    out.writeU16(Type.OPT);
    out.writeU16(EDNS_PAYLOAD); // OPT class: UDP payload size
    out.writeU32(dnssec ? 0x8000 : 0); // extended RCODE, version 0, DO when signatures are wanted
    out.writeU16(0); // no options
    return out.toByteArray();
  }

  /** The truncated query again over TCP, through dnsjava's NIO client, which checks the answer. */
  private CompletableFuture<Message> tcp(InetSocketAddress server, byte[] query, Duration timeout) {
    SimpleResolver tcp = new SimpleResolver(server);
    tcp.setTCP(true);
    tcp.setTimeout(timeout);
    try {
      return tcp.sendAsync(new Message(query), executor).toCompletableFuture();
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private DnsOutcome finalOutcome(DnsOutcome outcome) {
    if (outcome instanceof DnsOutcome.Timeout && settings.attempts() > 1) {
      return new DnsOutcome.Timeout(
          "no answer after "
              + settings.attempts()
              + " attempts of "
              + settings.timeout().toMillis()
              + " ms");
    }
    return outcome;
  }

  /** Classifies a reply from the server {@code server} names (only failures name it). */
  private static DnsOutcome fromResponse(Message response, Name name, int type, java.util.function.Supplier<String> server) {
    int rcode = response.getRcode();
    boolean authoritative = response.getHeader().getFlag(Flags.AA);
    switch (rcode) {
      case Rcode.SERVFAIL:
        return new DnsOutcome.ServFail(server.get());
      case Rcode.REFUSED:
        return new DnsOutcome.Refused(server.get());
      case Rcode.NOERROR, Rcode.NXDOMAIN:
        break;
      default:
        return new DnsOutcome.Error(Rcode.string(rcode) + " from " + server.get());
    }
    List<Record> answer = response.getSection(Section.ANSWER);
    List<Name> chain = new ArrayList<>();
    Name current = name;
    for (int hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
      List<Record> matching = new ArrayList<>();
      Name alias = null;
      for (Record record : answer) {
        if (!record.getName().equals(current)) {
          continue;
        }
        if (record.getType() == type) {
          matching.add(record);
        } else if (record.getType() == Type.CNAME && type != Type.CNAME) {
          alias = ((CNAMERecord) record).getTarget();
        }
      }
      if (!matching.isEmpty()) {
        return new DnsOutcome.Answer(matching, chain, authoritative);
      }
      if (alias == null) {
        return rcode == Rcode.NXDOMAIN
            ? new DnsOutcome.NxDomain(chain, authoritative)
            : new DnsOutcome.NoData(chain, authoritative);
      }
      if (chain.contains(alias) || alias.equals(name)) {
        return new DnsOutcome.Error("CNAME loop at " + alias + " from " + server.get());
      }
      chain.add(alias);
      current = alias;
    }
    return new DnsOutcome.Error("CNAME chain longer than " + MAX_CNAME_CHAIN + " from " + server.get());
  }

  private static DnsOutcome fromError(Throwable error, String server) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof SocketTimeoutException) {
      return new DnsOutcome.Timeout("no answer from " + server);
    }
    if (cause instanceof PortUnreachableException) {
      return new DnsOutcome.Error("nothing listening at " + server);
    }
    if (cause instanceof IOException) {
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return new DnsOutcome.Error(server + ": " + message);
    }
    return new DnsOutcome.Error(server + ": " + cause);
  }

  static String describe(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
