package io.qkms.engine;

import static io.qkms.engine.Steps.ALICE;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DryRunOperationException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RevokeGrantRequest;
import io.qkms.engine.internal.auth.GrantToken;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who may ReEncrypt: kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination
 * (AccessDeniedException), grant tokens (InvalidGrantTokenException), and DryRun.
 */
class ReEncryptAuthorizationTest extends ReEncryptFixture {
  private static final String DRY_RUN =
      "The request would have succeeded, but the DryRun option is set.";

  private static String denied(String action, KeyMetadata key) {
    return "User: arn:verenc:111122223333:user/alice is not authorized to perform: "
        + action
        + " on resource: "
        + key.arn()
        + " because no resource-based policy allows the "
        + action
        + " action";
  }

  // ---- AccessDeniedException ----------------------------------------------------------------

  @Test
  void reEncrypt_userWithNoStatementOrGrant_isDeniedReEncryptFromOnTheSource() {
    Expect.fails(
        AccessDeniedException.class,
        denied("kms:ReEncryptFrom", source),
        () -> f.engine.reEncrypt(ALICE, reEncrypt(blob, destination.keyId()).build()));
  }

  @Test
  void reEncrypt_userWithOnlyReEncryptFrom_isDeniedReEncryptToOnTheDestination() {
    Steps.grant(f, source, ALICE, "ReEncryptFrom");
    Expect.fails(
        AccessDeniedException.class,
        denied("kms:ReEncryptTo", destination),
        () -> f.engine.reEncrypt(ALICE, reEncrypt(blob, destination.keyId()).build()));
  }

  @Test
  void reEncrypt_userWithDecryptGrantOnly_isDeniedReEncryptFrom() {
    // Decrypt permission does not stand in for ReEncryptFrom.
    Steps.grant(f, source, ALICE, "Decrypt");
    Steps.grant(f, destination, ALICE, "ReEncryptTo");
    Expect.fails(
        AccessDeniedException.class,
        denied("kms:ReEncryptFrom", source),
        () -> f.engine.reEncrypt(ALICE, reEncrypt(blob, destination.keyId()).build()));
  }

  @Test
  void reEncrypt_userWithBothGrants_succeeds() {
    Steps.grant(f, source, ALICE, "ReEncryptFrom");
    Steps.grant(f, destination, ALICE, "ReEncryptTo");
    ReEncryptResponse r = f.engine.reEncrypt(ALICE, reEncrypt(blob, destination.keyId()).build());
    assertThat(r.keyId(), equalTo(destination.arn()));
    assertThat(Steps.decryptToString(f, r.ciphertextBlob(), null), equalTo(Canary.TEXT));
  }

  // ---- InvalidGrantTokenException -----------------------------------------------------------

  @Test
  void reEncrypt_malformedGrantToken_isInvalidGrantToken() {
    Expect.fails(
        InvalidGrantTokenException.class,
        "The grant token is not valid.",
        () ->
            f.engine.reEncrypt(
                ROOT,
                reEncrypt(blob, destination.keyId())
                    .grantTokens(List.of("not-a-grant-token"))
                    .build()));
  }

  @Test
  void reEncrypt_wellFormedTokenOfARevokedGrant_isInvalidGrantToken() {
    CreateGrantResponse g = Steps.grant(f, source, ALICE, "ReEncryptFrom");
    f.engine.revokeGrant(ROOT, new RevokeGrantRequest(source.keyId(), g.grantId(), null));
    assertThat(
        "still well-formed",
        GrantToken.decode(g.grantToken()),
        equalTo(new GrantToken(g.grantId())));
    Expect.fails(
        InvalidGrantTokenException.class,
        "The grant token does not belong to a live grant.",
        () ->
            f.engine.reEncrypt(
                ROOT,
                reEncrypt(blob, destination.keyId()).grantTokens(List.of(g.grantToken())).build()));
  }

  @Test
  void reEncrypt_tokenOfALiveGrant_isAccepted() {
    // Control for the revoked-grant test: the same kind of token works while its grant lives.
    CreateGrantResponse g = Steps.grant(f, source, ALICE, "ReEncryptFrom");
    ReEncryptResponse r =
        f.engine.reEncrypt(
            ROOT,
            reEncrypt(blob, destination.keyId()).grantTokens(List.of(g.grantToken())).build());
    assertThat(r.sourceKeyId(), equalTo(source.arn()));
  }

  // ---- DryRunOperationException -------------------------------------------------------------

  @Test
  void reEncrypt_dryRun_isDryRunOperation() {
    Expect.fails(
        DryRunOperationException.class,
        DRY_RUN,
        () -> f.engine.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).dryRun(true).build()));
  }

  @Test
  void reEncrypt_dryRunIgnoringTheCiphertextWithoutABlob_isDryRunOperation() {
    Expect.fails(
        DryRunOperationException.class,
        DRY_RUN,
        () ->
            f.engine.reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .destinationKeyId(destination.keyId())
                    .dryRun(true)
                    .dryRunModifiers(List.of("IGNORE_CIPHERTEXT"))
                    .build()));
  }

  @Test
  void reEncrypt_dryRunIgnoringTheCiphertext_stillChecksPermissionOnTheDestination() {
    Expect.fails(
        AccessDeniedException.class,
        denied("kms:ReEncryptTo", destination),
        () ->
            f.engine.reEncrypt(
                ALICE,
                ReEncryptRequest.builder()
                    .destinationKeyId(destination.keyId())
                    .dryRun(true)
                    .dryRunModifiers(List.of("IGNORE_CIPHERTEXT"))
                    .build()));
  }
}
