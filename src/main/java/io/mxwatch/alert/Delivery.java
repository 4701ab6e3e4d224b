package io.mxwatch.alert;

import java.util.List;

/** What the relay made of one email. */
public sealed interface Delivery {
  /**
   * The relay took the email.
   *
   * @param reply the relay's last answer, e.g. {@code 250 2.0.0 Ok: queued as 4Xk}
   * @param rejected recipients the relay refused for good, each with its answer; the others got it
   */
  record Accepted(String reply, List<String> rejected) implements Delivery {
    public Accepted {
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * Not sent now; may go through later (4xx answer, relay unreachable, TLS or AUTH trouble).
   *
   * @param relayDown whether the relay could not be talked to at all, so trying other emails now is
   *     pointless
   */
  record Retry(String error, boolean relayDown) implements Delivery {}

  /** The relay refused the email for good (5xx on MAIL, DATA, or every RCPT). */
  record Rejected(String error) implements Delivery {}
}
