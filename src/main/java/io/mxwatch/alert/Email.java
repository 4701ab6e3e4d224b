package io.mxwatch.alert;

import io.mxwatch.audit.Severity;
import java.time.Instant;
import java.util.List;

/**
 * One alert email, rendered when it was decided and sent as is, however many attempts it takes:
 * the Message-ID and the Date stay the same, so a relay or a mail client can tell a retry from a
 * new alert.
 *
 * @param severity the highest severity among what it reports
 * @param inReplyTo the Message-ID of the episode's first email; null for the first
 * @param createdAt the Date header
 */
public record Email(
    String domain,
    String route,
    Notification.Kind kind,
    Severity severity,
    String messageId,
    String inReplyTo,
    List<String> to,
    String subject,
    String text,
    String html,
    Instant createdAt) {
  public Email {
    to = List.copyOf(to);
  }
}
