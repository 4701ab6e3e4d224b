package io.mxwatch.tls;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The fetch of an MTA-STS policy file: what it said, or where the fetch stopped. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PolicyFetch.Fetched.class, name = "ok"),
  @JsonSubTypes.Type(value = PolicyFetch.Failed.class, name = "failed"),
})
public sealed interface PolicyFetch {
  String url();

  double elapsedMs();

  default String outcome() {
    return switch (this) {
      case Fetched f -> "ok";
      case Failed f -> "failed";
    };
  }

  /**
   * 200 with a text/plain body of at most 64 KiB, over HTTPS with a certificate valid for the
   * policy host.
   *
   * @param address the address it came from
   * @param bodySha256 SHA-256 of the body, hex
   * @param policy the body parsed
   */
  record Fetched(String url, double elapsedMs, String address, String bodySha256, MtaStsPolicy policy) implements PolicyFetch {}

  /**
   * No policy a sender would use.
   *
   * @param stage {@code dns} (no address), {@code denied} (only addresses in smtp.deny), {@code
   *     connect}, {@code tls} (handshake or certificate), {@code http} (a status other than 200,
   *     redirects included), {@code content} (too large, not text/plain) or {@code timeout}
   * @param detail what went wrong, bounded
   */
  record Failed(String url, double elapsedMs, String stage, String detail) implements PolicyFetch {}
}
