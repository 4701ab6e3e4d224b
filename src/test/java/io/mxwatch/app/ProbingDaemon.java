package io.mxwatch.app;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.testing.CheckFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** A daemon that checks every second against the fixture's DNS server and probes its SMTP servers. */
final class ProbingDaemon {
  private ProbingDaemon() {}

  /**
   * @param http extra keys of the {@code http} section, e.g. {@code , token_file: token}
   * @param domains the YAML list of domains
   */
  static Daemon start(Path dir, CheckFixture f, String http, String domains) throws Exception {
    Path config = dir.resolve("mxwatch.yaml");
    Files.writeString(
        config,
        """
        dns: {resolvers: ["127.0.0.1:%d"], timeout: 400ms, retries: 0}
        smtp: {port: %d, ipv6: false, deny: [], tls: {trust: "%s"}}
        defaults: {interval: 1s, confirmations: 2}
        store: {data_dir: %s}
        http: {listen: "127.0.0.1:0"%s}
        domains: %s
        """
            .formatted(f.dns.port(), f.smtpPort, io.mxwatch.testing.TestCa.shared().bundle(), dir.resolve("data"), http, domains));
    return Daemon.start(new ConfigLoader().load(config), config, new Wiring(Clock.systemUTC()), Clock.systemUTC());
  }
}
