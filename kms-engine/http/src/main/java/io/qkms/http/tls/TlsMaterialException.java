package io.qkms.http.tls;

/** A certificate or key file a server cannot use; the message names the file and the problem. */
public final class TlsMaterialException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TlsMaterialException(String message) {
    super(message);
  }
}
