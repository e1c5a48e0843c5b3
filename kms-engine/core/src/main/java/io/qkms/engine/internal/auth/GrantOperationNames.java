package io.qkms.engine.internal.auth;

import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyUsage;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

  /** The symmetric operations, which all take an encryption context. */
  private static final List<String> SYMMETRIC =
      List.of(
          DECRYPT,
          ENCRYPT,
          GENERATE_DATA_KEY,
          GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
          RE_ENCRYPT_FROM,
          RE_ENCRYPT_TO);

  /** The data key pair operations, which take an encryption context too. */
  private static final List<String> DATA_KEY_PAIR =
      List.of("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext");

  /** Every name AWS KMS accepts, in the order its documentation lists them. */
  public static final List<String> ALL =
      Stream.of(
              SYMMETRIC,
              List.of("Sign", "Verify", "GetPublicKey", CREATE_GRANT, RETIRE_GRANT, DESCRIBE_KEY),
              DATA_KEY_PAIR,
              List.of("GenerateMac", "VerifyMac", "DeriveSharedSecret"))
          .flatMap(List::stream)
          .collect(Collectors.toUnmodifiableList());

  /** Operations that take an encryption context, the only ones grant constraints govern. */
  private static final Set<String> WITH_CONTEXT =
      Stream.concat(SYMMETRIC.stream(), DATA_KEY_PAIR.stream())
          .collect(Collectors.toUnmodifiableSet());

  /**
   * Operations a constrained grant may include although they take no encryption context (AWS: the
   * constraint does not apply to DescribeKey and RetireGrant; for CreateGrant it bounds the
   * constraints of the grants created with it).
   */
  private static final Set<String> ALSO_WITH_CONSTRAINTS =
      Set.of(CREATE_GRANT, RETIRE_GRANT, DESCRIBE_KEY);

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
