package io.mxwatch.store;

/** The history database could not do what was asked; the message names the step. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
