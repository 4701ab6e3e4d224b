package io.mxwatch.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How the resolver client talks to its servers.
 *
 * @param resolvers servers to query, tried in turn on failure (never empty)
 * @param timeout how long one attempt waits for an answer
 * @param retries further attempts after the first one fails (timeout, SERVFAIL, REFUSED, error)
 * @param maxInFlight queries outstanding at once over the whole process; more wait in a queue
 * @param caseRandomization whether each letter of a query's name is sent in a random case, which
 *     the answer must repeat (0x20: more for a forger to guess than the ID and the port)
 */
public record DnsSettings(
    List<InetSocketAddress> resolvers, Duration timeout, int retries, int maxInFlight, boolean caseRandomization) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_RETRIES = 2;
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;

  public DnsSettings {
    resolvers = List.copyOf(resolvers);
    if (resolvers.isEmpty()) {
      throw new IllegalArgumentException("at least one resolver is needed");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative: " + retries);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
  }

  /** With the letters' case randomised (0x20). */
  public DnsSettings(List<InetSocketAddress> resolvers, Duration timeout, int retries, int maxInFlight) {
    this(resolvers, timeout, retries, maxInFlight, true);
  }

  public static DnsSettings of(List<InetSocketAddress> resolvers) {
    return new DnsSettings(resolvers, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_MAX_IN_FLIGHT);
  }

  public int attempts() {
    return retries + 1;
  }
}
