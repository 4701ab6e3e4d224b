package io.mxwatch.tls;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One STARTTLS handshake with one exchange address. Every variant is a value: a failed handshake
 * is as much a result as an established one. Text from the peer (alerts, DNs) is bounded.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TlsResult.Established.class, name = "ok"),
  @JsonSubTypes.Type(value = TlsResult.Failed.class, name = "failed"),
})
public sealed interface TlsResult {

  /**
   * The key type this handshake asked for: {@code any} (what a sender gets), or {@code rsa} /
   * {@code ecdsa} (signature schemes restricted to it, to see a second certificate of the other
   * type).
   */
  String requested();

  double elapsedMs();

  /** The label in reports: ok or failed. */
  default String outcome() {
    return switch (this) {
      case Established e -> "ok";
      case Failed f -> "failed";
    };
  }

  /**
   * The handshake completed.
   *
   * @param protocol e.g. {@code TLSv1.3}
   * @param cipher e.g. {@code TLS_AES_256_GCM_SHA384}
   * @param chain the certificates served, leaf first
   * @param trusted whether the chain leads to a trusted root (the system trust store, or the
   *     configured one); names are not part of it
   * @param trustProblem why it is not trusted, null when it is
   */
  record Established(
      String requested, double elapsedMs, String protocol, String cipher, List<CertificateFacts> chain, boolean trusted, String trustProblem)
      implements TlsResult {
    public Established {
      chain = List.copyOf(chain);
    }

    /** The leaf certificate (the first served). */
    public CertificateFacts leaf() {
      return chain.isEmpty() ? null : chain.getFirst();
    }
  }

  /**
   * No TLS session.
   *
   * @param stage {@code starttls} (the command was refused), {@code handshake} or {@code timeout}
   * @param detail what went wrong, bounded
   * @param oldProtocol the protocol the server insisted on when it is older than TLS 1.2 (e.g.
   *     {@code TLSv1}), else null
   */
  record Failed(String requested, double elapsedMs, String stage, String detail, String oldProtocol) implements TlsResult {}
}
