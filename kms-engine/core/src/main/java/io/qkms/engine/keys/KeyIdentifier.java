package io.qkms.engine.keys;

/**
 * What a caller may pass wherever the API takes a key identifier: a key ID, a key ARN, an alias
 * name or an alias ARN.
 */
public sealed interface KeyIdentifier {

  /** The text as the caller wrote it. */
  String text();

  /** A bare key ID. */
  record ById(KeyId keyId, String text) implements KeyIdentifier {}

  /** A key ARN; {@code account} may differ from the store's, which makes the key not found. */
  record ByKeyArn(AccountId account, KeyId keyId, String text) implements KeyIdentifier {}

  /** An alias name, {@code alias/...}. */
  record ByAliasName(AliasName alias, String text) implements KeyIdentifier {}

  /** An alias ARN. */
  record ByAliasArn(AccountId account, AliasName alias, String text) implements KeyIdentifier {}

  /** Classifies {@code text}, or returns {@code null} if it is none of the four forms. */
  static KeyIdentifier parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.startsWith(Arns.PREFIX)) {
      int accountEnd = text.indexOf(':', Arns.PREFIX.length());
      if (accountEnd < 0) {
        return null;
      }
      String account = text.substring(Arns.PREFIX.length(), accountEnd);
      if (!AccountId.isValid(account)) {
        return null;
      }
      String resource = text.substring(accountEnd + 1);
      if (resource.startsWith("key/")) {
        KeyId id = KeyId.tryParse(resource.substring("key/".length()));
        return id == null ? null : new ByKeyArn(AccountId.of(account), id, text);
      }
      AliasName alias = AliasName.tryParse(resource);
      return alias == null ? null : new ByAliasArn(AccountId.of(account), alias, text);
    }
    if (text.startsWith(AliasName.PREFIX)) {
      AliasName alias = AliasName.tryParse(text);
      return alias == null ? null : new ByAliasName(alias, text);
    }
    KeyId id = KeyId.tryParse(text);
    return id == null ? null : new ById(id, text);
  }
}
