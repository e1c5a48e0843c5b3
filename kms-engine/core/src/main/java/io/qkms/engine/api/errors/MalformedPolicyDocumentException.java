package io.qkms.engine.api.errors;

/** A key policy is not valid JSON in the policy grammar, or would lock the caller out. */
public final class MalformedPolicyDocumentException extends KmsException {
  private static final long serialVersionUID = 1L;

  public MalformedPolicyDocumentException(String message) {
    super(message);
  }
}
