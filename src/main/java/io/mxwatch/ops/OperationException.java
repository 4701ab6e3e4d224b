package io.mxwatch.ops;

/** An operator action that cannot be done as asked; the message says why, for the operator. */
public final class OperationException extends RuntimeException {
  /** Why, as the command line's exit status and the HTTP API's status code tell it. */
  public enum Reason {
    /** The request itself is wrong: a malformed domain, a blank reason. */
    BAD_REQUEST,
    /** What it names does not exist: a domain never checked, a silence not in force. */
    NOT_FOUND,
    /** It cannot be done in the current state: a domain without a confirmed state yet. */
    CONFLICT
  }

  private final Reason reason;

  public OperationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
