package io.mxwatch.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNSSEC validation of the answers a check depends on (the MX set, the exchanges' addresses, their
 * TLSA records), by dnsjava's {@link ValidatingResolver} from the configured trust anchors down,
 * over the process's own {@link DnsClient} (its slots, retries, deadline and TCP fallback). One
 * instance per process: validated DNSKEY sets are cached by it (at most 15 minutes), so a check
 * costs the DS and DNSKEY lookups of a zone once per cache period, not once per check.
 *
 * <p>Bogus is only said when every lookup the validation needed was answered: a DS or DNSKEY
 * lookup that timed out makes the answer {@link DnssecStatus#INDETERMINATE indeterminate}, never
 * bogus, and so does a resolver that cannot give the trust anchor's own DNSKEY set with its
 * signatures (a forwarder that strips them, a resolver that only serves some zones): then
 * validation pauses for a minute, with one warning in the log, instead of asking again for every
 * answer.
 */
public final class DnssecValidator {
  private static final Logger log = LoggerFactory.getLogger(DnssecValidator.class);

  /** How long validation pauses after the trust anchor's DNSKEY set could not be had. */
  static final Duration PAUSE = Duration.ofMinutes(1);

  /** The shipped root anchors (KSK-2017 and KSK-2024). */
  public static final String ROOT_ANCHORS = "/dnssec/root-anchors.txt";

  /** How long a validated answer is kept at most, and a bogus one (as Unbound's val-bogus-ttl). */
  static final Duration KEEP = Duration.ofHours(1);
  static final Duration KEEP_BOGUS = Duration.ofMinutes(1);
  /** Validated answers kept at most (about 150 bytes each). */
  static final int KEPT = 250_000;
  /** How often a full store of kept answers is swept of expired ones at most. */
  static final Duration SWEEP_EVERY = Duration.ofSeconds(10);

  private final DnsClient client;
  private final ValidatingResolver validator;
  private final java.time.Clock clock;
  /**
   * Answers already validated, by their content (records and signatures, without TTLs): a
   * signature is verified once, not at every check of every domain that shares it, until the
   * answer's TTL runs out (at most {@link #KEEP}), a signature in it expires, or the answer changes.
   * Verifying signatures is nearly all of validation's cost.
   */
  private final java.util.concurrent.ConcurrentHashMap<Key, Kept> kept = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile long sweptAtMillis = Long.MIN_VALUE / 2;
  private final Set<Name> anchors;
  /** The {@link System#nanoTime()} until which validation is paused (in the past: not paused). */
  private volatile long pausedUntil = System.nanoTime();
  private volatile String pauseReason;

  /**
   * @param anchors trust anchors in master-file format (DS or DNSKEY records), e.g. the content of
   *     {@link #ROOT_ANCHORS}
   * @throws IllegalArgumentException when the anchors do not parse or contain other records
   */
  public DnssecValidator(DnsClient client, byte[] anchors, String source, java.time.Clock clock) {
    this.client = client;
    this.clock = clock;
    this.anchors = anchorNames(anchors, source);
    // the clock judges signatures' validity: the check's own, as for certificates
    this.validator = new ValidatingResolver(new Head(), clock);
    try {
      validator.loadTrustAnchors(new ByteArrayInputStream(anchors));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(source + ": not a list of trust anchors: " + e.getMessage(), e);
    }
  }

  /** A validator from the shipped root anchors. */
  public static DnssecValidator withRootAnchors(DnsClient client, java.time.Clock clock) {
    try (InputStream in = DnssecValidator.class.getResourceAsStream(ROOT_ANCHORS)) {
      return new DnssecValidator(client, in.readAllBytes(), "the shipped root anchors", clock);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + ROOT_ANCHORS, e);
    }
  }

  /**
   * The trust anchors in {@code file}, checked: DS or DNSKEY records in zone-file format.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static byte[] readAnchors(java.nio.file.Path file) {
    return readAnchors(file, file.toString());
  }

  /** The same, naming the file {@code shown} in errors (as the configuration writes it). */
  public static byte[] readAnchors(java.nio.file.Path file, String shown) {
    byte[] data;
    try {
      if (java.nio.file.Files.size(file) > 1024 * 1024) {
        throw new IllegalArgumentException("cannot read " + shown + ": larger than 1 MiB, not a list of trust anchors");
      }
      data = java.nio.file.Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read " + shown + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + shown + ": " + e.getMessage());
    }
    anchorNames(data, shown);
    return data;
  }

  /** A validator from the anchors in {@code file}, or the shipped root anchors when it is null. */
  public static DnssecValidator of(DnsClient client, java.nio.file.Path file, java.time.Clock clock) {
    return file == null ? withRootAnchors(client, clock) : new DnssecValidator(client, readAnchors(file), file.toString(), clock);
  }

  /** The names the trust anchors are for. */
  public Set<Name> anchors() {
    return anchors;
  }

  /** An answer and what validation said of it. */
  public record Validated(DnsOutcome outcome, DnssecResult dnssec) {}

  /**
   * Looks up {@code type} at {@code name} and validates the answer; gives up at {@code
   * deadlineNanos}. The outcome is the resolver's answer as served (bogus data included: checks
   * record what is published); the future never completes exceptionally.
   */
  public CompletableFuture<Validated> lookup(Name name, int type, long deadlineNanos) {
    if (paused()) {
      return client
          .query(name, type, deadlineNanos)
          .thenApply(outcome -> new Validated(outcome, new DnssecResult(DnssecStatus.INDETERMINATE, pauseReason, null)));
    }
    return client.exchange(name, type, deadlineNanos).thenCompose(exchange -> validate(name, type, deadlineNanos, exchange));
  }

  /** The answer in {@code exchange} validated: as kept from an earlier check, else by the validator. */
  private CompletableFuture<Validated> validate(Name name, int type, long deadlineNanos, DnsClient.Exchange exchange) {
    if (exchange.response() == null || exchange.outcome() instanceof DnsOutcome.Failure) {
      return CompletableFuture.completedFuture(
          new Validated(exchange.outcome(), indeterminate("the lookup failed: " + exchange.outcome().detail())));
    }
    Key key = Key.of(name, type, exchange.response());
    long now = clock.millis();
    Kept known = kept.get(key);
    if (known != null && known.untilMillis > now) {
      return CompletableFuture.completedFuture(new Validated(exchange.outcome(), known.result));
    }
    Lookup lookup = new Lookup(name, type, deadlineNanos, exchange);
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    CompletableFuture<Validated> result = new CompletableFuture<>();
    try {
      validator
          .sendAsync(query, lookup)
          .whenComplete(
              (validated, error) -> {
                try {
                  Validated v = lookup.result(validated, error);
                  keep(key, exchange.response(), v.dnssec(), now);
                  result.complete(v);
                } catch (RuntimeException e) {
                  result.complete(new Validated(new DnsOutcome.Error("validation failed: " + e), indeterminate("validation failed: " + e)));
                }
              });
    } catch (RuntimeException e) {
      result.complete(new Validated(new DnsOutcome.Error("validation failed: " + e), indeterminate("validation failed: " + e)));
    }
    return result;
  }

  /** Keeps a result that depends on the answer alone: not an indeterminate one (a lookup failed). */
  private void keep(Key key, Message response, DnssecResult result, long nowMillis) {
    if (result.status() == DnssecStatus.INDETERMINATE) {
      return;
    }
    long until = nowMillis + (result.status() == DnssecStatus.BOGUS ? KEEP_BOGUS : KEEP).toMillis();
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record r : response.getSection(section)) {
        until = Math.min(until, nowMillis + r.getTTL() * 1000);
        if (r instanceof RRSIGRecord sig) {
          until = Math.min(until, sig.getExpire().toEpochMilli());
        }
      }
    }
    if (until <= nowMillis) {
      return;
    }
    if (kept.size() >= KEPT) {
      // a sweep reads every kept answer: once in a while, not at each answer while full
      if (nowMillis - sweptAtMillis >= SWEEP_EVERY.toMillis()) {
        sweptAtMillis = nowMillis;
        kept.values().removeIf(k -> k.untilMillis <= nowMillis);
      }
      if (kept.size() >= KEPT) {
        return; // full of live answers: the others are validated each time
      }
    }
    kept.put(key, new Kept(result, until));
  }

  private record Kept(DnssecResult result, long untilMillis) {}

  /**
   * An answer's content: the question, the response code and every record of the answer and
   * authority sections (owner, type, class, data; signatures included, TTLs not, order not), as
   * 128 bits of SHA-256.
   */
  private record Key(long high, long low) {
    static Key of(Name name, int type, Message response) {
      java.util.List<byte[]> records = new java.util.ArrayList<>();
      for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
        for (Record r : response.getSection(section)) {
          org.xbill.DNS.DNSOutput out = new org.xbill.DNS.DNSOutput();
          out.writeU8(section);
          r.getName().toWireCanonical(out);
          out.writeU16(r.getType());
          out.writeU16(r.getDClass());
          out.writeByteArray(r.rdataToWireCanonical());
          records.add(out.toByteArray());
        }
      }
      records.sort(java.util.Arrays::compare);
      java.security.MessageDigest sha;
      try {
        sha = java.security.MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      sha.update(name.toWireCanonical());
      sha.update(new byte[] {(byte) (type >> 8), (byte) type, (byte) response.getRcode()});
      for (byte[] r : records) {
        sha.update(new byte[] {(byte) (r.length >> 8), (byte) r.length});
        sha.update(r);
      }
      java.nio.ByteBuffer digest = java.nio.ByteBuffer.wrap(sha.digest());
      return new Key(digest.getLong(), digest.getLong());
    }
  }

  private boolean paused() {
    return pausedUntil - System.nanoTime() > 0;
  }

  private static DnssecResult indeterminate(String reason) {
    return new DnssecResult(DnssecStatus.INDETERMINATE, reason, null);
  }

  /**
   * One validated lookup. It is also the {@link Executor} handed to the validator, which passes it
   * to every lookup it makes for this answer: that is how those lookups know the deadline and how
   * their failures reach the result. It runs tasks directly (the validator's steps are short).
   */
  private final class Lookup implements Executor {
    final Name name;
    final int type;
    final long deadlineNanos;
    /** The exchange for the question itself (the first one the validator makes). */
    volatile DnsClient.Exchange answer;
    /** The first lookup of the validation that got no usable answer, described; null if none. */
    volatile String failed;
    /** The answer to the question, already asked: the validator's first query for it gets it. */
    private final java.util.concurrent.atomic.AtomicReference<DnsClient.Exchange> asked;

    Lookup(Name name, int type, long deadlineNanos, DnsClient.Exchange asked) {
      this.name = name;
      this.type = type;
      this.deadlineNanos = deadlineNanos;
      this.asked = new java.util.concurrent.atomic.AtomicReference<>(asked);
    }

    /** The exchange asked before validation, once, when the validator asks that question. */
    DnsClient.Exchange takeAsked(Name qname, int qtype) {
      DnsClient.Exchange e = asked.get();
      return e != null && qtype == type && qname.equals(name) && asked.compareAndSet(e, null) ? e : null;
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }

    void exchanged(Name qname, int qtype, DnsClient.Exchange exchange) {
      if (answer == null && qtype == type && qname.equals(name)) {
        answer = exchange;
        return;
      }
      if (qtype == Type.DNSKEY && anchors.contains(qname) && !signedAnswer(exchange.response())) {
        String reason =
            "the resolver gives no signed DNSKEY set for the trust anchor "
                + qname
                + " ("
                + exchange.outcome().detail()
                + "): validation is paused for "
                + PAUSE.toSeconds()
                + " s";
        fail(reason);
        if (!paused()) {
          log.warn("DNSSEC: {}", reason);
        }
        pauseReason = "validation unavailable: " + reason;
        pausedUntil = System.nanoTime() + PAUSE.toNanos();
      } else if (exchange.outcome() instanceof DnsOutcome.Failure f) {
        fail(Type.string(qtype) + " " + qname + ": " + f.detail());
      }
    }

    private void fail(String what) {
      if (failed == null) {
        failed = what;
      }
    }

    Validated result(Message validated, Throwable error) {
      DnsClient.Exchange asked = answer;
      if (asked == null) {
        String why = error != null ? describe(error) : "no answer";
        DnsOutcome outcome = failed != null || error != null ? new DnsOutcome.Error(why) : new DnsOutcome.Error("no answer");
        return new Validated(outcome, indeterminate(why));
      }
      DnsOutcome outcome = asked.outcome();
      if (outcome instanceof DnsOutcome.Failure f) {
        return new Validated(outcome, indeterminate("the lookup failed: " + f.detail()));
      }
      if (failed != null) {
        return new Validated(outcome, indeterminate(failed));
      }
      if (error != null || validated == null) {
        return new Validated(outcome, indeterminate(error != null ? describe(error) : "no result"));
      }
      if (validated.getHeader().getFlag(Flags.AD)) {
        return new Validated(outcome, new DnssecResult(DnssecStatus.SECURE, null, earliestExpiry(asked.response())));
      }
      String reason = reason(validated);
      if (validated.getRcode() == Rcode.SERVFAIL && reason != null) {
        return new Validated(outcome, new DnssecResult(DnssecStatus.BOGUS, reason, null));
      }
      return new Validated(outcome, new DnssecResult(DnssecStatus.INSECURE, null, null));
    }
  }

  private static String describe(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  /** Why the validator found the answer bogus: its reason record, else its extended DNS error. */
  private static String reason(Message validated) {
    for (Record r : validated.getSection(Section.ADDITIONAL)) {
      if (r instanceof TXTRecord txt && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
        return String.join("", txt.getStrings());
      }
    }
    if (validated.getOPT() != null) {
      for (EDNSOption option : validated.getOPT().getOptions()) {
        if (option instanceof org.xbill.DNS.ExtendedErrorCodeOption ede) {
          return ede.getText() != null ? ede.getText() : "extended DNS error " + ede.getErrorCode();
        }
      }
    }
    return null;
  }

  private static boolean signedAnswer(Message response) {
    if (response == null) {
      return false;
    }
    boolean keys = false;
    boolean signatures = false;
    for (Record r : response.getSection(Section.ANSWER)) {
      keys |= r.getType() == Type.DNSKEY;
      signatures |= r instanceof RRSIGRecord sig && sig.getTypeCovered() == Type.DNSKEY;
    }
    return keys && signatures;
  }

  /** The earliest RRSIG expiration in the answer and authority sections. */
  static Instant earliestExpiry(Message response) {
    Instant earliest = null;
    if (response == null) {
      return null;
    }
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record r : response.getSection(section)) {
        if (r instanceof RRSIGRecord sig && (earliest == null || sig.getExpire().isBefore(earliest))) {
          earliest = sig.getExpire();
        }
      }
    }
    return earliest;
  }

  private static Set<Name> anchorNames(byte[] anchors, String source) {
    Set<Name> names = new HashSet<>();
    try (Master master = new Master(new ByteArrayInputStream(anchors), Name.root)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        if (r.getType() != Type.DS && r.getType() != Type.DNSKEY) {
          throw new IllegalArgumentException(source + ": a trust anchor is a DS or DNSKEY record, not " + Type.string(r.getType()) + " (at " + r.getName() + ")");
        }
        names.add(r.getName());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a list of trust anchors: " + e.getMessage(), e);
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(source + ": no trust anchor (DS or DNSKEY records in zone-file format)");
    }
    return Set.copyOf(names);
  }

  /** The validator's resolver: {@link DnsClient#exchange}, with the lookup's deadline. */
  private final class Head implements Resolver {
    private Duration timeout = Duration.ofSeconds(10);

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
      return sendAsync(query, (Executor) null);
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
      Record question = query.getQuestion();
      Lookup lookup = executor instanceof Lookup l ? l : null;
      long deadline = lookup != null ? lookup.deadlineNanos : System.nanoTime() + timeout.toNanos();
      Name qname = question.getName();
      int qtype = question.getType();
      DnsClient.Exchange already = lookup != null ? lookup.takeAsked(qname, qtype) : null;
      CompletableFuture<DnsClient.Exchange> exchanged =
          already != null ? CompletableFuture.completedFuture(already) : client.exchange(qname, qtype, deadline).toCompletableFuture();
      return exchanged
          .thenApply(
              exchange -> {
                if (lookup != null) {
                  lookup.exchanged(qname, qtype, exchange);
                }
                Message response = exchange.response();
                if (response == null) {
                  throw new CompletionException(new IOException(exchange.outcome().detail()));
                }
                response.getHeader().setID(query.getHeader().getID());
                return response;
              });
    }

    @Override
    public void setPort(int port) {}

    @Override
    public void setTCP(boolean flag) {}

    @Override
    public void setIgnoreTruncation(boolean flag) {}

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

    @Override
    public void setTSIGKey(TSIG key) {}

    @Override
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public Duration getTimeout() {
      return timeout;
    }
  }
}
