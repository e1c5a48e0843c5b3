package io.qkms.engine.keys;

/** Key states as AWS KMS documents them; {@link #wireName()} is the API's spelling. */
public enum KeyState {
  ENABLED("Enabled"),
  DISABLED("Disabled"),
  PENDING_DELETION("PendingDeletion"),
  PENDING_IMPORT("PendingImport"),
  UNAVAILABLE("Unavailable");

  private final String wireName;

  KeyState(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
