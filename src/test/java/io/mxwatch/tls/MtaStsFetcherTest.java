package io.mxwatch.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.testing.TestCa;
import io.mxwatch.testing.TestHttpsServer;
import io.mxwatch.testing.TestHttpsServer.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Policy fetches as RFC 8461 §3.3 has senders make them, against an HTTPS server in this JVM. */
class MtaStsFetcherTest {
  private static final String DOMAIN = "example.test";
  private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: *.example.test\r\nmax_age: 604800\r\n";
  private final InetAddress host = address("127.0.0.7");
  private final int port = freePort();
  private TestHttpsServer server;
  private final MtaStsFetcher fetcher = new MtaStsFetcher(TrustStores.fromFile(TestCa.shared().bundle()), port, Duration.ofSeconds(2));

  @AfterEach
  void close() {
    fetcher.close();
    if (server != null) {
      server.close();
    }
  }

  private PolicyFetch fetch(Reply reply) {
    return fetch(TestCa.shared().forEveryName(), reply);
  }

  private PolicyFetch fetch(java.util.function.BiFunction<String, TestCa.Key, TestCa.Leaf> certs, Reply reply) {
    server = new TestHttpsServer(host, port, certs, reply);
    return fetcher.fetch(DOMAIN, List.of(host)).join();
  }

  @Test
  void aPolicyIsFetchedFromThePolicyHostAtTheGivenAddress() {
    PolicyFetch f = fetch(Reply.policy(POLICY));
    assertThat(f).isInstanceOfSatisfying(PolicyFetch.Fetched.class, ok -> {
      assertThat(ok.policy().valid()).isTrue();
      assertThat(ok.policy().mode()).isEqualTo("enforce");
      assertThat(ok.bodySha256()).hasSize(64);
    });
    assertThat(f.url()).isEqualTo("https://mta-sts.example.test:" + port + "/.well-known/mta-sts.txt");
    assertThat(server.paths()).containsExactly("/.well-known/mta-sts.txt");
  }

  @Test
  void theHttpClientStartsAtTheFirstFetchAndNotAfterClose() {
    assertThat(fetcher.started()).as("a check of domains without MTA-STS pays nothing for it").isFalse();
    assertThat(fetch(Reply.policy(POLICY))).isInstanceOf(PolicyFetch.Fetched.class);
    assertThat(fetcher.started()).isTrue();

    MtaStsFetcher closedBefore = new MtaStsFetcher(TrustStores.fromFile(TestCa.shared().bundle()), port, Duration.ofSeconds(2));
    closedBefore.close();
    assertThat(closedBefore.fetch(DOMAIN, List.of(host)).join())
        .isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.detail()).contains("shutting down"));
    assertThat(closedBefore.started()).isFalse();
  }

  @Test
  void aRedirectIsNotFollowed() {
    PolicyFetch f = fetch(new Reply(301, "text/plain", "", "https://mta-sts.elsewhere.test/.well-known/mta-sts.txt", Duration.ZERO));
    assertThat(f).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> {
      assertThat(x.stage()).isEqualTo("http");
      assertThat(x.detail()).startsWith("HTTP 301 to https://mta-sts.elsewhere.test").contains("not followed");
    });
    assertThat(server.paths()).hasSize(1);
  }

  @Test
  void onlyA200TextPlainBodyOfAtMost64KiBIsAPolicy() {
    assertThat(fetch(new Reply(404, "text/plain", "no", null, Duration.ZERO))).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.detail()).isEqualTo("HTTP 404"));
    server.close();
    assertThat(fetch(new Reply(200, "text/html", POLICY, null, Duration.ZERO)))
        .isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.detail()).isEqualTo("Content-Type is text/html, not text/plain"));
    server.close();
    assertThat(fetch(Reply.policy(POLICY + "x".repeat(MtaStsFetcher.MAX_BYTES))))
        .isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("content"));
    server.close();
    assertThat(fetch(new Reply(200, "text/plain; charset=utf-8", POLICY, null, Duration.ZERO))).isInstanceOf(PolicyFetch.Fetched.class);
  }

  @Test
  void theCertificateMustBeValidForThePolicyHost() {
    PolicyFetch wrongName = fetch((name, key) -> TestCa.shared().issue(key, List.of("www.example.test")), Reply.policy(POLICY));
    assertThat(wrongName).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("tls"));
    server.close();
    PolicyFetch selfSigned = fetch((name, key) -> key == TestCa.Key.RSA ? TestCa.selfSigned(key, List.of("mta-sts.example.test")) : null, Reply.policy(POLICY));
    assertThat(selfSigned).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("tls"));
  }

  @Test
  void aSlowServerTimesOutAndNothingListeningFailsToConnect() {
    PolicyFetch slow = fetch(new Reply(200, "text/plain", POLICY, null, Duration.ofSeconds(5)));
    assertThat(slow).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("timeout"));
    assertThat(slow.elapsedMs()).isLessThan(4_000);
    server.close();
    server = null;
    PolicyFetch closed = fetcher.fetch(DOMAIN, List.of(host)).join();
    assertThat(closed).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("connect"));
    assertThat(fetcher.fetch(DOMAIN, List.of()).join()).isInstanceOfSatisfying(PolicyFetch.Failed.class, x -> assertThat(x.stage()).isEqualTo("dns"));
  }

  private static InetAddress address(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
