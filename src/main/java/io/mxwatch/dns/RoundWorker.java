package io.mxwatch.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * A thread of its own that handles, in order, the rounds of work another thread hands it; rounds
 * handed while it works are taken together. It lets a UDP receiver go back to its socket while the
 * answers it read are parsed and the checks they belong to go on, so that reading and that work
 * run side by side on two processors. The caller bounds what can be handed (the answers of the
 * queries in flight), so the queue needs no bound of its own.
 */
final class RoundWorker<T> {
  private final LinkedBlockingQueue<List<T>> rounds = new LinkedBlockingQueue<>();
  private final Consumer<List<List<T>>> handler;
  private final Thread thread;

  /** @param handler handles the rounds taken together; must not throw */
  RoundWorker(String name, Consumer<List<List<T>>> handler) {
    this.handler = handler;
    this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
  }

  /** Hands a round over; the caller must not touch it afterwards. */
  void hand(List<T> round) {
    rounds.add(round);
  }

  /** Stops the thread; rounds not handled yet are dropped (their queries are being failed). */
  void stop() {
    thread.interrupt();
  }

  private void run() {
    List<List<T>> taken = new ArrayList<>();
    while (true) {
      try {
        taken.add(rounds.take());
      } catch (InterruptedException e) {
        return;
      }
      rounds.drainTo(taken);
      try {
        handler.accept(taken);
      } finally {
        taken.clear();
      }
    }
  }
}
