package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code mxwatch run}: the daemon. SIGHUP re-reads the config (an invalid one is rejected and the
 * running one stays); SIGTERM and SIGINT stop it cleanly.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Watches the configured domains on their schedules, keeps their history and reports drift.",
      "SIGHUP reloads the config; SIGTERM or SIGINT stops after the checks in flight (bounded wait)."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:stopped by SIGTERM or SIGINT", "3:the config or the store could not be used"})
public final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration. Without it: the embedded defaults (no domains).")
  private Path config;

  private final DaemonFactory daemons;
  private final ConfigLoader loader;
  private final boolean handleSignals;
  private final BlockingQueue<Request> signals = new LinkedBlockingQueue<>();
  private final AtomicInteger reloadsHandled = new AtomicInteger();

  /** A signal (HUP, TERM, INT), and for a reload asked over HTTP, who waits for its outcome. */
  private record Request(String signal, CompletableFuture<Void> done) {}

  public RunCommand(DaemonFactory daemons, ConfigLoader loader) {
    this(daemons, loader, true);
  }

  /** Without {@code handleSignals}, only {@link #reload()} and {@link #stop()} reach it (tests). */
  RunCommand(DaemonFactory daemons, ConfigLoader loader, boolean handleSignals) {
    this.daemons = daemons;
    this.loader = loader;
    this.handleSignals = handleSignals;
  }

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    MxwatchConfig initial = load();
    if (handleSignals) {
      for (String name : new String[] {"HUP", "TERM", "INT"}) {
        sun.misc.SignalHandler before = Signal.handle(new Signal(name), s -> signals.add(new Request(s.getName(), new CompletableFuture<>())));
        if (before == sun.misc.SignalHandler.SIG_IGN && name.equals("HUP")) {
          // started with nohup, a reload by signal never arrives (an ignored SIGINT is only what a
          // shell does to a background job: SIGTERM still stops mxwatch)
          log.warn("SIGHUP is ignored in this process (started with nohup?): it will not reach mxwatch; reload with POST /-/reload");
        }
      }
    }
    try (Daemon daemon = daemons.start(initial, config == null ? null : config.toAbsolutePath(), this::requestReload)) {
      while (true) {
        Request request = signals.take();
        if (!request.signal().equals("HUP")) {
          log.info("SIG{} received: stopping", request.signal());
          return 0;
        }
        reload(daemon, request.done());
      }
    }
  }

  /** Asks the running daemon to stop as SIGTERM would; for tests and embedding. */
  void stop() {
    signals.add(new Request("TERM", new CompletableFuture<>()));
  }

  /** Asks it to reload as SIGHUP would. */
  void reload() {
    requestReload();
  }

  /** Asks for a reload; the future tells whether it was applied. */
  private CompletableFuture<Void> requestReload() {
    Request request = new Request("HUP", new CompletableFuture<>());
    signals.add(request);
    return request.done();
  }

  /** Reload requests handled so far, applied or rejected. */
  int reloadsHandled() {
    return reloadsHandled.get();
  }

  private void reload(Daemon daemon, CompletableFuture<Void> done) {
    log.info("reload asked for: reloading {}", config == null ? "the defaults" : config);
    try {
      daemon.reload(load());
      log.info("configuration reloaded");
      done.complete(null);
    } catch (ConfigException e) {
      log.error("configuration not reloaded, the previous one stays in effect:\n{}", e.getMessage());
      daemon.reloadRejected();
      done.completeExceptionally(e);
    } finally {
      reloadsHandled.incrementAndGet();
    }
  }

  private MxwatchConfig load() throws ConfigException {
    return config == null ? loader.defaults() : loader.load(config);
  }
}
