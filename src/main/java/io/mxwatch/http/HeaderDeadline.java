package io.mxwatch.http;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose request head does not arrive whole in time: a new connection must send
 * its first request head, and a connection that has begun a head must finish it, within {@code
 * timeout}. Jetty's idle timeout alone lets a client that sends a byte every few seconds ("slowloris")
 * hold a connection for hours; this bounds it to the timeout. Checked a few times per timeout; a
 * connection between requests (keep-alive) is left to the idle timeout.
 */
final class HeaderDeadline extends AbstractLifeCycle {
  private static final Logger log = LoggerFactory.getLogger(HeaderDeadline.class);

  /** Where a connection stood when first seen waiting for a head. */
  private record Waiting(long messagesIn, long sinceNanos) {}

  private final AbstractConnector connector;
  private final long timeoutNanos;
  private final long tickMillis;
  private final Map<EndPoint, Waiting> waiting = new HashMap<>();
  private final AtomicLong closed = new AtomicLong();
  private volatile Scheduler.Task next;

  HeaderDeadline(AbstractConnector connector, Duration timeout) {
    this.connector = connector;
    this.timeoutNanos = timeout.toNanos();
    this.tickMillis = Math.max(50, timeout.toMillis() / 5);
  }

  /** Connections closed for a late head since the start. */
  long closed() {
    return closed.get();
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    Scheduler.Task task = next;
    if (task != null) {
      task.cancel();
    }
    synchronized (waiting) {
      waiting.clear();
    }
  }

  private void schedule() {
    if (isRunning() || isStarting()) {
      next = connector.getScheduler().schedule(this::sweep, tickMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    try {
      sweep(connector.getConnectedEndPoints(), System.nanoTime());
    } catch (RuntimeException e) {
      log.warn("checking request heads failed: {}", e.toString(), e);
    } finally {
      schedule();
    }
  }

  private void sweep(Collection<EndPoint> endPoints, long now) {
    synchronized (waiting) {
      waiting.keySet().retainAll(endPoints);
      for (EndPoint endPoint : endPoints) {
        if (!(endPoint.getConnection() instanceof HttpConnection http) || !awaitsHead(http)) {
          waiting.remove(endPoint);
          continue;
        }
        long messages = http.getMessagesIn();
        Waiting since = waiting.get(endPoint);
        if (since == null || since.messagesIn() != messages) {
          waiting.put(endPoint, new Waiting(messages, now));
        } else if (now - since.sinceNanos() > timeoutNanos) {
          waiting.remove(endPoint);
          closed.incrementAndGet();
          log.debug("closing {}: no whole request head within {} ms", endPoint.getRemoteSocketAddress(), timeoutNanos / 1_000_000);
          endPoint.close();
        }
      }
    }
  }

  /** Whether the connection is in the middle of a head, or opened and has sent nothing yet. */
  private static boolean awaitsHead(HttpConnection http) {
    HttpParser parser = http.getParser();
    if (parser.isState(HttpParser.State.START)) {
      return http.getMessagesIn() == 0;
    }
    return parser.inHeaderState();
  }
}
