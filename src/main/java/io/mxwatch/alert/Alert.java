package io.mxwatch.alert;

import io.mxwatch.audit.Severity;
import java.time.Instant;

/**
 * One alert of a domain's group.
 *
 * @param since when it started firing
 * @param silenced whether a silence covered it at the last evaluation
 */
public record Alert(AlertKey key, Severity severity, String before, String after, Instant since, boolean silenced) {}
