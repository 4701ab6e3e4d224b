package io.mxwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.Audit;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.audit.Status;
import io.mxwatch.snapshot.MxResult;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.dns.DnsStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batch run's contract: every domain is written once, whatever a writer does, and the run ends. */
class BatchCheckTest {

  private static CheckResult ok(String domain) {
    Snapshot s =
        new Snapshot(domain, Instant.EPOCH, 0, new MxResult(DnsStatus.NXDOMAIN, MxResult.Mode.NONE, false, List.of()),
            null, null, false, List.of(), List.of());
    return new CheckResult(s, new Audit(Status.OK, List.of()));
  }

  /** Finishes each check on another thread, as DNS answers do. */
  private static Checker checker(ExecutorService threads) {
    return new Checker() {
      @Override
      public CheckResult check(String domain) {
        return ok(domain);
      }

      @Override
      public CompletableFuture<CheckResult> checkAsync(String domain) {
        return CompletableFuture.supplyAsync(() -> ok(domain), threads);
      }

      @Override
      public void close() {}
    };
  }

  /** Records the domains written; the one named {@code bad} throws {@code failure} when written. */
  private static final class Recording implements ReportWriter {
    final List<String> written = new ArrayList<>();
    final List<String> prepared = java.util.Collections.synchronizedList(new ArrayList<>());
    final String bad;
    final Throwable failure;

    Recording(String bad, Throwable failure) {
      this.bad = bad;
      this.failure = failure;
    }

    @Override
    public void begin() {}

    @Override
    public Runnable prepare(CheckResult result) {
      prepared.add(result.snapshot().domain());
      return () -> result(result);
    }

    @Override
    public void result(CheckResult result) {
      String domain = result.snapshot().domain();
      if (domain.equals(bad)) {
        if (failure instanceof RuntimeException e) {
          throw e;
        }
        throw (Error) failure;
      }
      written.add(domain);
    }

    @Override
    public void failure(String domain, String message) {
      written.add(domain + " failed");
    }

    @Override
    public void flush() {}

    @Override
    public void end(Tally tally) {}
  }

  private static List<String> domains(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("d" + i + ".test");
    }
    return out;
  }

  @Test
  @Timeout(30)
  void orderedOutputKeepsTheInputOrderAndPreparesOnTheFinishingThread() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      Recording writer = new Recording(null, null);
      Tally tally = new BatchCheck(checker(threads), writer, 8, true).run(domains(200).iterator());
      assertThat(writer.written).containsExactlyElementsOf(domains(200));
      assertThat(writer.prepared).containsExactlyInAnyOrderElementsOf(domains(200));
      assertThat(tally.domains()).isEqualTo(200);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  @Timeout(30)
  void aWriterThatThrowsAnErrorCostsOneResultNotTheRun() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      for (boolean ordered : new boolean[] {true, false}) {
        Recording writer = new Recording("d7.test", new StackOverflowError("a writer calling itself"));
        Tally tally = new BatchCheck(checker(threads), writer, 4, ordered).run(domains(50).iterator());
        assertThat(tally.domains()).as("ordered=%s", ordered).isEqualTo(50);
        assertThat(writer.written).as("ordered=%s", ordered).hasSize(49).doesNotContain("d7.test");
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
