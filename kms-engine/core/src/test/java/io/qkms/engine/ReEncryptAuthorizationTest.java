package io.qkms.engine;

import static io.qkms.engine.Steps.ALICE;
import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DryRunOperationException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RevokeGrantRequest;
import io.qkms.engine.internal.auth.GrantToken;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no statement or grant: ReEncryptFrom is denied on the source"
            + " | | | kms:ReEncryptFrom | SOURCE",
        "only ReEncryptFrom: ReEncryptTo is denied on the destination"
            + " | ReEncryptFrom | | kms:ReEncryptTo | DESTINATION",
        "a Decrypt grant does not stand in for ReEncryptFrom"
            + " | Decrypt | ReEncryptTo | kms:ReEncryptFrom | SOURCE"
      })
  void reEncrypt_userWithoutBothPermissions_isDeniedTheFirstMissingOne(
      String behaviour,
      String sourceGrant,
      String destinationGrant,
      String deniedAction,
      Side deniedOn) {
    if (sourceGrant != null) {
      Steps.grant(f, source, ALICE, sourceGrant);
    }
    if (destinationGrant != null) {
      Steps.grant(f, destination, ALICE, destinationGrant);
    }
    Expect.fails(
        AccessDeniedException.class,
        denied(deniedAction, key(deniedOn)),
        reEncryptAs(ALICE, toDestination()));
  }

  @Test
  void reEncrypt_userWithBothGrants_succeeds() {
    Steps.grant(f, source, ALICE, "ReEncryptFrom");
    Steps.grant(f, destination, ALICE, "ReEncryptTo");
    ReEncryptResponse r = f.engine.reEncrypt(ALICE, toDestination().build());
    assertThat(r.keyId(), equalTo(destination.arn()));
    assertThat(Steps.decryptToString(f, r.ciphertextBlob(), null), equalTo(Canary.TEXT));
  }

  // ---- InvalidGrantTokenException -----------------------------------------------------------

  @Test
  void reEncrypt_malformedGrantToken_isInvalidGrantToken() {
    Expect.fails(
        InvalidGrantTokenException.class,
        "The grant token is not valid.",
        reEncryptAs(ROOT, toDestination().grantTokens(List.of("not-a-grant-token"))));
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
        reEncryptAs(ROOT, toDestination().grantTokens(List.of(g.grantToken()))));
  }

  @Test
  void reEncrypt_tokenOfALiveGrant_isAccepted() {
    // Control for the revoked-grant test: the same kind of token works while its grant lives.
    CreateGrantResponse g = Steps.grant(f, source, ALICE, "ReEncryptFrom");
    ReEncryptResponse r =
        f.engine.reEncrypt(ROOT, toDestination().grantTokens(List.of(g.grantToken())).build());
    assertThat(r.sourceKeyId(), equalTo(source.arn()));
  }

  // ---- DryRunOperationException -------------------------------------------------------------

  @Test
  void reEncrypt_dryRun_isDryRunOperation() {
    Expect.fails(
        DryRunOperationException.class, DRY_RUN, reEncryptAs(ROOT, toDestination().dryRun(true)));
  }

  @Test
  void reEncrypt_dryRunIgnoringTheCiphertextWithoutABlob_isDryRunOperation() {
    Expect.fails(
        DryRunOperationException.class, DRY_RUN, reEncryptAs(ROOT, dryRunIgnoringTheCiphertext()));
  }

  @Test
  void reEncrypt_dryRunIgnoringTheCiphertext_stillChecksPermissionOnTheDestination() {
    Expect.fails(
        AccessDeniedException.class,
        denied("kms:ReEncryptTo", destination),
        reEncryptAs(ALICE, dryRunIgnoringTheCiphertext()));
  }
}
