package io.mxwatch.snapshot;

import io.mxwatch.tls.MtaStsResult;
import io.mxwatch.tls.TlsRptResult;

/**
 * The domain's transport security policies: MTA-STS and TLS-RPT (DANE lives with the exchanges).
 *
 * @param mtaSts MTA-STS; null when the check did not look
 * @param tlsRpt TLS-RPT; null when the check did not look
 */
public record Transport(MtaStsResult mtaSts, TlsRptResult tlsRpt) {}
