package io.mxwatch.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The lookups of one check: each (name, type) is asked once per check and shared by whoever needs
 * it (the MX section and the SPF {@code mx} mechanism, say), every lookup is remembered with its
 * outcome, and none outlives the check or its deadline. There is no cache beyond this scope: the
 * next check asks the servers again.
 *
 * <p>A check has at most {@value #MAX_IN_FLIGHT} lookups with the client at once; the rest wait
 * here, in order. So a hostile domain whose records ask for a hundred lookups holds that many of
 * the process's {@code dns.max_in_flight} slots at most, and other checks' lookups are not queued
 * behind all of its own.
 */
public final class LookupScope {
  private final DnsClient client;
  private final long deadlineNanos;
  /** Lookups of one check with the client at once. */
  static final int MAX_IN_FLIGHT = 16;

  private final DnssecValidator validator;
  private final Map<Key, CompletableFuture<DnsOutcome>> lookups = new ConcurrentHashMap<>();
  /** The validations of the lookups that were validated. */
  private final Map<Key, DnssecResult> validations = new ConcurrentHashMap<>();
  private final List<Key> order = new ArrayList<>();
  /** Lookups waiting for one of this check's slots (under {@code order}'s lock). */
  private final java.util.ArrayDeque<Key> waiting = new java.util.ArrayDeque<>();
  private int inFlight;

  /**
   * A lookup: {@code type} at {@code name}, through the resolvers (server null) or asked of {@code
   * server}; {@code quiet} ones are not recorded among the lookups.
   */
  private record Key(Name name, int type, java.net.InetSocketAddress server, boolean quiet) {
    Key(Name name, int type) {
      this(name, type, null, false);
    }
  }

  /** Questions asked of a server directly ({@link #askAt}) or quietly ({@link #lookupQuietly}). */
  private final Map<Key, CompletableFuture<DnsClient.Exchange>> asked = new ConcurrentHashMap<>();

  /**
   * @param deadlineNanos the {@link System#nanoTime()} after which lookups still unanswered count
   *     as timed out
   */
  public LookupScope(DnsClient client, long deadlineNanos) {
    this(client, deadlineNanos, null);
  }

  /**
   * @param validator validates the lookups of the types mail delivery depends on (MX, A, AAAA,
   *     TLSA; {@link #VALIDATED}); null: none is validated
   */
  public LookupScope(DnsClient client, long deadlineNanos, DnssecValidator validator) {
    this.client = client;
    this.deadlineNanos = deadlineNanos;
    this.validator = validator;
  }

  /** Whether lookups of {@code type} are validated when the scope has a validator. */
  static boolean validated(int type) {
    return type == Type.MX || type == Type.A || type == Type.AAAA || type == Type.TLSA;
  }

  /** Whether this scope validates (it has a validator). */
  public boolean validates() {
    return validator != null;
  }

  /** The DNSSEC validation of a lookup made in this scope; null if it was not validated (yet). */
  public DnssecResult dnssec(Name name, int type) {
    return validations.get(new Key(name, type));
  }

  /** The outcome of {@code type} at {@code name}; asks the server at most once per scope. */
  public CompletableFuture<DnsOutcome> lookup(Name name, int type) {
    return admit(lookups, new Key(name, type));
  }

  /**
   * Asks {@code server} itself, without recursion, for {@code type} at {@code name} ({@link
   * DnsClient#exchangeAt}), once per scope, within the check's slots and deadline. Such questions
   * are not among the {@link #record lookups}: a nameserver that does not answer is a finding of
   * its own, not a failed lookup of the domain.
   */
  public CompletableFuture<DnsClient.Exchange> askAt(java.net.InetSocketAddress server, Name name, int type) {
    return ask(new Key(name, type, server, true));
  }

  /**
   * Looks up {@code type} at {@code name} through the resolvers, once per scope, within the check's
   * slots and deadline, without recording it among the lookups: for what the check learns on the
   * side (where the domain's nameservers are), whose failures are reported where they matter and
   * never make the domain's own records unknown. No DNSSEC validation.
   */
  public CompletableFuture<DnsOutcome> lookupQuietly(Name name, int type) {
    return ask(new Key(name, type, null, true)).thenApply(DnsClient.Exchange::outcome);
  }

  private CompletableFuture<DnsClient.Exchange> ask(Key key) {
    return admit(asked, key);
  }

  /**
   * The future of {@code key} in {@code futures}, made and sent (or queued for one of the check's
   * slots) the first time it is asked; a recorded lookup joins the order of the record.
   */
  private <T> CompletableFuture<T> admit(Map<Key, CompletableFuture<T>> futures, Key key) {
    CompletableFuture<T> existing = futures.get(key);
    if (existing != null) {
      return existing;
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    synchronized (order) {
      existing = futures.putIfAbsent(key, future);
      if (existing != null) {
        return existing;
      }
      if (!key.quiet()) {
        order.add(key);
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        waiting.add(key);
        return future;
      }
      inFlight++;
    }
    send(key);
    return future;
  }

  /** Hands a lookup to the client; when it is answered, the next waiting one goes. */
  private void send(Key key) {
    if (key.quiet()) {
      (key.server() != null
              ? client.exchangeAt(key.server(), key.name(), key.type(), deadlineNanos)
              : client.query(key.name(), key.type(), deadlineNanos).thenApply(outcome -> new DnsClient.Exchange(outcome, null)))
          .whenComplete(
              (exchange, error) -> {
                Key next = next();
                asked.get(key).complete(exchange != null ? exchange : new DnsClient.Exchange(new DnsOutcome.Error("query failed: " + error), null));
                if (next != null) {
                  send(next);
                }
              });
      return;
    }
    CompletableFuture<DnsOutcome> asked =
        validator != null && validated(key.type())
            ? validator
                .lookup(key.name(), key.type(), deadlineNanos)
                .thenApply(
                    v -> {
                      validations.put(key, v.dnssec());
                      return v.outcome();
                    })
            : client.query(key.name(), key.type(), deadlineNanos);
    asked
        .whenComplete(
            (outcome, error) -> {
              Key next = next();
              lookups.get(key).complete(outcome != null ? outcome : new DnsOutcome.Error("lookup failed: " + error));
              if (next != null) {
                send(next);
              }
            });
  }

  /** The next waiting lookup, which takes over the slot of one just answered; null: the slot is free. */
  private Key next() {
    synchronized (order) {
      Key next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
      return next;
    }
  }

  /** Blocking convenience for callers on virtual threads. */
  public DnsOutcome await(Name name, int type) {
    return lookup(name, type).join();
  }

  /**
   * Every lookup made so far, in the order first asked. A lookup still unanswered is reported as
   * timed out; call this after the work of the check is done.
   */
  public List<DnsLookup> record() {
    List<Key> keys;
    synchronized (order) {
      keys = List.copyOf(order);
    }
    List<DnsLookup> result = new ArrayList<>(keys.size());
    Name previous = null;
    String text = null;
    for (Key key : keys) {
      DnsOutcome outcome = lookups.get(key).getNow(DnsClient.DEADLINE_EXPIRED);
      if (key.name() != previous) { // an exchange's A and AAAA lookups come one after the other
        previous = key.name();
        text = NameText.of(previous);
      }
      result.add(new DnsLookup(text, Type.string(key.type()), outcome.status(), outcome.detail(), validations.get(key)));
    }
    return result;
  }
}
