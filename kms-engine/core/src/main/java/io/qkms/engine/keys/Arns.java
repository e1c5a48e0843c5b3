package io.qkms.engine.keys;

/**
 * ARNs as the QKMS API page writes them: {@code arn:verenc:<account>:key/<key-id>} and {@code
 * arn:verenc:<account>:alias/<name>}. They carry no region: the call's region decides.
 */
public final class Arns {
  public static final String PREFIX = "arn:verenc:";

  private Arns() {}

  public static String keyArn(AccountId account, KeyId keyId) {
    return PREFIX + account.value() + ":key/" + keyId.value();
  }

  public static String aliasArn(AccountId account, AliasName alias) {
    return PREFIX + account.value() + ':' + alias.value();
  }
}
