package io.mxwatch.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records checks in groups: one thread takes what is waiting (after a short linger, up to {@link
 * #MAX} checks) and writes it in one transaction with {@link HistoryStore#recordAll}. On the H2
 * file every commit is a write of the changed pages, so a group of ten costs little more than one.
 * A check's future completes only once its group is committed: nothing is reported (logged,
 * counted, alerted) that a crash could still take back.
 */
public final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
  /** Checks in one transaction at most. */
  static final int MAX = 256;

  private record Pending(HistoryStore.Recording recording, CompletableFuture<HistoryStore.Recorded> done) {}

  private static final Pending STOP = new Pending(null, null);

  private final HistoryStore store;
  private final Duration linger;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  /** @param linger how long the first check of a group waits for others to join it */
  public GroupCommit(HistoryStore store, Duration linger) {
    this.store = store;
    this.linger = linger;
    this.thread = new Thread(this::run, "mxwatch-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a check for the next group.
   *
   * @return completes once committed, with what {@link HistoryStore#record} returns (null: the
   *     state moved meanwhile); exceptionally when the group's transaction failed
   */
  public CompletableFuture<HistoryStore.Recorded> submit(HistoryStore.Recording recording) {
    CompletableFuture<HistoryStore.Recorded> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new StoreException("recording the check of " + recording.domain() + " refused: the store is closing", null));
      return done;
    }
    queue.add(new Pending(recording, done));
    return done;
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    queue.add(STOP);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Pending> group = new ArrayList<>(MAX);
    boolean stopping = false;
    while (!stopping) {
      group.clear();
      try {
        Pending first = queue.take();
        if (first == STOP) {
          break;
        }
        group.add(first);
        long until = System.nanoTime() + linger.toNanos();
        while (group.size() < MAX) {
          long left = until - System.nanoTime();
          Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (next == STOP) {
            stopping = true;
            break;
          }
          group.add(next);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
      write(group);
    }
    // anything still queued after the stop
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.removeIf(p -> p == STOP);
    for (int i = 0; i < rest.size(); i += MAX) {
      write(rest.subList(i, Math.min(rest.size(), i + MAX)));
    }
  }

  private void write(List<Pending> group) {
    if (group.isEmpty()) {
      return;
    }
    try {
      List<HistoryStore.Recorded> out = store.recordAll(group.stream().map(Pending::recording).toList());
      for (int i = 0; i < group.size(); i++) {
        group.get(i).done().complete(out.get(i));
      }
    } catch (RuntimeException e) {
      if (group.size() == 1) {
        group.getFirst().done().completeExceptionally(e);
        return;
      }
      // one bad check must not fail the others: each on its own, so only that one fails
      log.debug("recording a group of {} checks failed ({}); recording them one by one", group.size(), e.getMessage());
      for (Pending p : group) {
        write(List.of(p));
      }
    }
  }
}
