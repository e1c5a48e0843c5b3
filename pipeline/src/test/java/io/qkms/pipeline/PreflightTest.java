package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The check of a destination key that both the embedded and the remote checks before a run use. */
class PreflightTest {
  static final String ARN = "arn:verenc:111122223333:key/1234";

  static String refusal(String keyId, String keySpec, String keyUsage, String keyState) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> Preflight.checkUsableDestination(keyId, ARN, keySpec, keyUsage, keyState))
        .getMessage();
  }

  @Test
  void anEnabledSymmetricEncryptionKey_isUsable() {
    assertDoesNotThrow(
        () ->
            Preflight.checkUsableDestination(
                "alias/new", ARN, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled"));
  }

  @Test
  void aKeyOfAnotherSpecOrUsage_isRefusedNamingBoth() {
    assertThat(
        refusal("alias/sign", "ECC_NIST_P256", "SIGN_VERIFY", "Enabled"),
        equalTo(
            "The destination key alias/sign is ECC_NIST_P256/SIGN_VERIFY; ReEncrypt needs a"
                + " SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key"));
    assertThat(
        refusal(ARN, "SYMMETRIC_DEFAULT", "GENERATE_VERIFY_MAC", "Enabled"),
        equalTo(
            "The destination key "
                + ARN
                + " is SYMMETRIC_DEFAULT/GENERATE_VERIFY_MAC; ReEncrypt needs a SYMMETRIC_DEFAULT"
                + " ENCRYPT_DECRYPT key"));
  }

  @Test
  void aKeyNotEnabled_isRefusedWithItsState_andItsArnWhereNamedOtherwise() {
    assertThat(
        refusal("alias/old", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Disabled"),
        equalTo("The destination key alias/old (" + ARN + ") is Disabled"));
    assertThat(
        refusal(ARN, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "PendingDeletion"),
        equalTo("The destination key " + ARN + " is PendingDeletion"));
  }
}
