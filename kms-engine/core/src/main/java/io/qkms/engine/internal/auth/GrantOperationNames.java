package io.qkms.engine.internal.auth;

import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyUsage;
import java.util.List;
import java.util.Set;

/**
 * The names a grant's Operations member may hold (AWS's grant operations, some of which QKMS does
 * not implement), and which keys they fit. Not to be confused with the API's operations ({@link
 * io.qkms.engine.api.Operations}): ReEncryptFrom and ReEncryptTo, for one, are grant operations
 * that together allow the ReEncrypt operation.
 */
public final class GrantOperationNames {
  public static final String DECRYPT = "Decrypt";
  public static final String ENCRYPT = "Encrypt";
  public static final String GENERATE_DATA_KEY = "GenerateDataKey";
  public static final String GENERATE_DATA_KEY_WITHOUT_PLAINTEXT =
      "GenerateDataKeyWithoutPlaintext";
  public static final String RE_ENCRYPT_FROM = "ReEncryptFrom";
  public static final String RE_ENCRYPT_TO = "ReEncryptTo";
  public static final String CREATE_GRANT = "CreateGrant";
  public static final String RETIRE_GRANT = "RetireGrant";
  public static final String DESCRIBE_KEY = "DescribeKey";

  /** Every name AWS KMS accepts, in the order its documentation lists them. */
  public static final List<String> ALL =
      List.of(
          "Decrypt",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "ReEncryptFrom",
          "ReEncryptTo",
          "Sign",
          "Verify",
          "GetPublicKey",
          "CreateGrant",
          "RetireGrant",
          "DescribeKey",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext",
          "GenerateMac",
          "VerifyMac",
          "DeriveSharedSecret");

  /** Operations that take an encryption context, the only ones grant constraints govern. */
  private static final Set<String> WITH_CONTEXT =
      Set.of(
          "Decrypt",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "ReEncryptFrom",
          "ReEncryptTo",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext");

  /**
   * Operations a constrained grant may include although they take no encryption context (AWS: the
   * constraint does not apply to DescribeKey and RetireGrant; for CreateGrant it bounds the
   * constraints of the grants created with it).
   */
  private static final Set<String> ALSO_WITH_CONSTRAINTS =
      Set.of("CreateGrant", "RetireGrant", "DescribeKey");

  private GrantOperationNames() {}

  public static boolean takesEncryptionContext(String name) {
    return WITH_CONTEXT.contains(name);
  }

  /** Whether a grant with encryption-context constraints may include {@code name}. */
  public static boolean allowedWithConstraints(String name) {
    return WITH_CONTEXT.contains(name) || ALSO_WITH_CONSTRAINTS.contains(name);
  }

  /** Whether a grant for {@code name} makes sense on a key of this spec and usage. */
  public static boolean fits(String name, KeySpec spec, KeyUsage usage) {
    return switch (name) {
      case "CreateGrant", "RetireGrant", "DescribeKey" -> true;
      case "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo" ->
          usage == KeyUsage.ENCRYPT_DECRYPT;
      case "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext" ->
          spec.isSymmetricEncryption();
      case "Sign", "Verify" -> usage == KeyUsage.SIGN_VERIFY;
      case "GetPublicKey" -> spec.isRsa() || spec.isEcc();
      case "GenerateMac", "VerifyMac" -> usage == KeyUsage.GENERATE_VERIFY_MAC;
      default -> false;
    };
  }
}
