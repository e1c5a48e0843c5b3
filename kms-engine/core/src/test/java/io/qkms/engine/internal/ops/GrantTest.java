package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.BOB;
import static io.qkms.engine.internal.ops.Calls.BOB_ARN;
import static io.qkms.engine.internal.ops.Calls.CAROL;
import static io.qkms.engine.internal.ops.Calls.CAROL_ARN;
import static io.qkms.engine.internal.ops.Calls.DAVE;
import static io.qkms.engine.internal.ops.Calls.HEX64;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.assertAccessDenied;
import static io.qkms.engine.internal.ops.Calls.assertBobMayNotEncrypt;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.grant;
import static io.qkms.engine.internal.ops.Calls.grantRequest;
import static io.qkms.engine.internal.ops.Calls.reEncrypt;
import static io.qkms.engine.internal.ops.Calls.reEncryptWithGrantTokens;
import static io.qkms.engine.internal.ops.Calls.replicate;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.InvalidGrantIdException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.GrantConstraints;
import io.qkms.engine.api.model.GrantListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListGrantsRequest;
import io.qkms.engine.api.model.ListGrantsResponse;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RetireGrantRequest;
import io.qkms.engine.api.model.RevokeGrantRequest;
import io.qkms.engine.internal.auth.GrantToken;
import io.qkms.engine.testing.EngineFixture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CreateGrant, grant constraints, grant tokens, ListGrants, RetireGrant, RevokeGrant. Keys here
 * have the default policy, so users get access only through grants.
 */
class GrantTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Map<String, String> ACME = ctx("tenant", "acme");
  private static final String UNKNOWN_GRANT_ID =
      "0000000000000000000000000000000000000000000000000000000000000000";

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private CreateGrantResponse constrainedGrant(
      String keyId, String grantee, GrantConstraints constraints, String... operations) {
    return f.engine.createGrant(
        ROOT, grantRequest(keyId, grantee, operations).constraints(constraints).build());
  }

  private static GrantConstraints equalsTo(Map<String, String> context) {
    return new GrantConstraints(null, context);
  }

  private static GrantConstraints subsetOf(Map<String, String> context) {
    return new GrantConstraints(context, null);
  }

  private List<GrantListEntry> grants(String keyId) {
    return f.engine.listGrants(ROOT, new ListGrantsRequest(keyId, null, null, null, null)).grants();
  }

  private ReEncryptResponse bobReEncrypts(
      byte[] blob, String keyId, Map<String, String> source, Map<String, String> destination) {
    return reEncrypt(f.engine, BOB, blob, keyId, source, keyId, destination);
  }

  // ---- Grants give access --------------------------------------------------------------------

  @Test
  void createGrant_reEncryptFromAndReEncryptTo_letTheGranteeReEncryptBetweenKeys() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    grant(f.engine, a.keyId(), BOB_ARN, "ReEncryptFrom");
    grant(f.engine, b.keyId(), BOB_ARN, "ReEncryptTo");
    byte[] blob = f.encrypt(a.keyId(), "granted", ACME);

    ReEncryptResponse r = reEncrypt(f.engine, BOB, blob, a.keyId(), ACME, b.keyId(), ACME);

    assertThat(r.sourceKeyId(), equalTo(a.arn()));
    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), ACME), equalTo("granted"));
  }

  @Test
  void createGrant_withoutReEncryptToOnTheDestination_isDeniedThere() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    grant(f.engine, a.keyId(), BOB_ARN, "ReEncryptFrom");
    byte[] blob = f.encrypt(a.keyId(), "x", null);

    assertAccessDenied(
        BOB_ARN,
        "kms:ReEncryptTo",
        b,
        () -> reEncrypt(f.engine, BOB, blob, a.keyId(), null, b.keyId(), null));
  }

  @Test
  void createGrant_encryptAndDecrypt_letTheGranteeEncryptAndDecrypt() {
    KeyMetadata m = f.symmetricKey();
    grant(f.engine, m.keyId(), BOB_ARN, "Encrypt", "Decrypt");

    byte[] blob = encrypt(f.engine, BOB, m.keyId(), "bob's own", ACME);

    assertThat(decrypt(f.engine, BOB, blob, ACME), equalTo("bob's own"));
  }

  @Test
  void createGrant_onlyGivesTheNamedGranteeAccess() {
    KeyMetadata m = f.symmetricKey();
    grant(f.engine, m.keyId(), BOB_ARN, "Encrypt");

    assertAccessDenied(
        "arn:verenc:111122223333:user/carol",
        "kms:Encrypt",
        m,
        () -> encrypt(f.engine, CAROL, m.keyId(), "x", null));
  }

  @Test
  void createGrant_responseHas64HexGrantIdAndATokenNamingIt() {
    KeyMetadata m = f.symmetricKey();

    CreateGrantResponse r = grant(f.engine, m.keyId(), BOB_ARN, "Decrypt");

    assertThat(r.grantId(), matchesPattern(HEX64));
    assertThat(GrantToken.decode(r.grantToken()), equalTo(new GrantToken(r.grantId())));
  }

  // ---- Constraints ---------------------------------------------------------------------------

  @Test
  void encryptionContextEquals_exactContext_isAllowed() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, equalsTo(ACME), "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "acme", ACME);

    ReEncryptResponse r = bobReEncrypts(blob, m.keyId(), ACME, ACME);

    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), ACME), equalTo("acme"));
  }

  @Test
  void encryptionContextEquals_extraPairInTheSourceContext_isDenied() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, equalsTo(ACME), "ReEncryptFrom", "ReEncryptTo");
    Map<String, String> wider = ctx("tenant", "acme", "extra", "1");
    byte[] blob = f.encrypt(m.keyId(), "acme", wider);

    assertAccessDenied(
        BOB_ARN, "kms:ReEncryptFrom", m, () -> bobReEncrypts(blob, m.keyId(), wider, ACME));
  }

  @Test
  void encryptionContextEquals_otherDestinationContext_isDenied() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, equalsTo(ACME), "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "acme", ACME);

    assertAccessDenied(
        BOB_ARN,
        "kms:ReEncryptTo",
        m,
        () -> bobReEncrypts(blob, m.keyId(), ACME, ctx("tenant", "beta")));
  }

  @Test
  void encryptionContextSubset_contextWithMorePairs_isAllowed() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "ReEncryptFrom", "ReEncryptTo");
    Map<String, String> wider = ctx("tenant", "acme", "table", "orders");
    byte[] blob = f.encrypt(m.keyId(), "wider", wider);

    ReEncryptResponse r =
        bobReEncrypts(blob, m.keyId(), wider, ctx("table", "x", "tenant", "acme"));

    assertThat(
        decrypt(f.engine, ROOT, r.ciphertextBlob(), ctx("tenant", "acme", "table", "x")),
        equalTo("wider"));
  }

  @Test
  void encryptionContextSubset_missingPair_isDenied() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "beta", ctx("tenant", "beta", "table", "orders"));

    assertAccessDenied(
        BOB_ARN,
        "kms:ReEncryptFrom",
        m,
        () -> bobReEncrypts(blob, m.keyId(), ctx("tenant", "beta", "table", "orders"), ACME));
  }

  @Test
  void constraints_onAnOperationWithoutEncryptionContext_isValidation() {
    KeyMetadata m = f.key("RSA_2048", "SIGN_VERIFY");

    assertKmsError(
        ValidationException.class,
        "Grant constraints apply only to operations that take an encryption context; Sign does"
            + " not.",
        () -> constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "Sign"));
    assertThat(grants(m.keyId()), empty());
  }

  @Test
  void constraints_withDescribeKey_areAcceptedAndDoNotApplyToDescribeKey() {
    // AWS: a constrained grant may include DescribeKey; the constraint does not apply to it.
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "Decrypt", "DescribeKey");

    assertThat(describe(f.engine, BOB, m.keyId()).keyId(), equalTo(m.keyId()));
  }

  @Test
  void createGrant_operationThatDoesNotFitTheKey_isValidation() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "Grant operation Sign is not valid for "
            + m.arn()
            + " (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT).",
        () -> grant(f.engine, m.keyId(), BOB_ARN, "Decrypt", "Sign"));
    assertThat(grants(m.keyId()), empty());
  }

  @Test
  void createGrant_reEncryptOnAnHmacKey_isValidation() {
    KeyMetadata m = f.key("HMAC_256", "GENERATE_VERIFY_MAC");

    assertKmsError(
        ValidationException.class,
        "Grant operation ReEncryptFrom is not valid for "
            + m.arn()
            + " (key spec HMAC_256, key usage GENERATE_VERIFY_MAC).",
        () -> grant(f.engine, m.keyId(), BOB_ARN, "ReEncryptFrom"));
  }

  @Test
  void createGrant_granteeNotAPrincipalArn_isValidation() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value 'bob' at 'granteePrincipal' failed to satisfy"
            + " constraint: Member must be a principal ARN (arn:verenc:<account>:root,"
            + " ...:user/<name> or ...:role/<name>)",
        () -> grant(f.engine, m.keyId(), "bob", "Decrypt"));
  }

  @Test
  void createGrant_byUserWithoutPermission_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();

    assertAccessDenied(
        BOB_ARN,
        "kms:CreateGrant",
        m,
        () -> f.engine.createGrant(BOB, grantRequest(m.keyId(), BOB_ARN, "Decrypt").build()));
  }

  // ---- CreateGrant permission from a grant ---------------------------------------------------

  private CreateGrantResponse bobGrants(
      String keyId, String grantee, GrantConstraints constraints, String... operations) {
    return f.engine.createGrant(
        BOB, grantRequest(keyId, grantee, operations).constraints(constraints).build());
  }

  @Test
  void grantedCreateGrant_childWithASubsetOfTheOperations_isCreated() {
    KeyMetadata m = f.symmetricKey();
    grant(f.engine, m.keyId(), BOB_ARN, "CreateGrant", "Decrypt", "Encrypt");
    byte[] blob = f.encrypt(m.keyId(), "for carol", null);

    bobGrants(m.keyId(), CAROL_ARN, null, "Decrypt");

    assertThat(decrypt(f.engine, CAROL, blob, null), equalTo("for carol"));
  }

  @Test
  void grantedCreateGrant_childWithAnOperationTheParentLacks_isAccessDenied() {
    // AWS: a grantee who got CreateGrant from a grant may pass on only the parent's operations.
    KeyMetadata m = f.symmetricKey();
    grant(f.engine, m.keyId(), BOB_ARN, "CreateGrant", "Decrypt");

    assertAccessDenied(
        BOB_ARN,
        "kms:CreateGrant",
        m,
        () -> bobGrants(m.keyId(), BOB_ARN, null, "Decrypt", "ReEncryptFrom"));
    assertThat(grants(m.keyId()), hasSize(1));
  }

  @Test
  void grantedCreateGrant_childWithoutTheParentsConstraint_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "CreateGrant", "Decrypt");

    assertAccessDenied(
        BOB_ARN, "kms:CreateGrant", m, () -> bobGrants(m.keyId(), CAROL_ARN, null, "Decrypt"));
  }

  @Test
  void grantedCreateGrant_childWithAStricterConstraint_isCreated() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, subsetOf(ACME), "CreateGrant", "Decrypt");
    Map<String, String> stricter = ctx("tenant", "acme", "table", "orders");
    byte[] blob = f.encrypt(m.keyId(), "orders", stricter);

    bobGrants(m.keyId(), CAROL_ARN, equalsTo(stricter), "Decrypt");

    assertThat(decrypt(f.engine, CAROL, blob, stricter), equalTo("orders"));
  }

  @Test
  void grantedCreateGrant_subsetChildOfAnEqualsParent_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();
    constrainedGrant(m.keyId(), BOB_ARN, equalsTo(ACME), "CreateGrant", "Decrypt");

    assertAccessDenied(
        BOB_ARN,
        "kms:CreateGrant",
        m,
        () -> bobGrants(m.keyId(), CAROL_ARN, subsetOf(ACME), "Decrypt"));
  }

  // ---- Grant tokens --------------------------------------------------------------------------

  @Test
  void grantToken_ofAFreshGrant_isAccepted() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "with token", null);

    ReEncryptResponse r =
        reEncryptWithGrantTokens(
            f.engine, BOB, blob, m.keyId(), m.keyId(), List.of(g.grantToken()));

    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), null), equalTo("with token"));
  }

  @Test
  void grantToken_ofARevokedGrant_isInvalidGrantToken() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "x", null);
    f.engine.revokeGrant(ROOT, new RevokeGrantRequest(m.keyId(), g.grantId(), null));

    assertKmsError(
        InvalidGrantTokenException.class,
        "The grant token does not belong to a live grant.",
        () ->
            reEncryptWithGrantTokens(
                f.engine, BOB, blob, m.keyId(), m.keyId(), List.of(g.grantToken())));
  }

  @Test
  void grantToken_ofARetiredGrant_isInvalidGrantToken() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt");
    retireByToken(ROOT, g.grantToken());

    assertKmsError(
        InvalidGrantTokenException.class,
        "The grant token does not belong to a live grant.",
        () ->
            f.engine.encrypt(
                BOB,
                EncryptRequest.builder()
                    .keyId(m.keyId())
                    .plaintext(Calls.utf8("x"))
                    .grantTokens(List.of(g.grantToken()))
                    .build()));
  }

  @Test
  void grantToken_malformed_isInvalidGrantToken() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "x", null);

    assertKmsError(
        InvalidGrantTokenException.class,
        "The grant token is not valid.",
        () ->
            reEncryptWithGrantTokens(
                f.engine, ROOT, blob, null, m.keyId(), List.of("not-a-token")));
  }

  @Test
  void grantCreatedByAnotherEngine_withoutToken_isNotYetVisibleToACachedKey() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "x", null); // this engine now caches the key
    try (KmsEngine other = Calls.secondEngine(f)) {
      grant(other, m.keyId(), BOB_ARN, "ReEncryptFrom", "ReEncryptTo");

      // Eventual consistency, as in AWS: until the TTL, the cached key has no such grant.
      assertAccessDenied(
          BOB_ARN, "kms:ReEncryptFrom", m, () -> bobReEncrypts(blob, m.keyId(), null, null));
    }
  }

  @Test
  void grantCreatedByAnotherEngine_withItsToken_isUsableAtOnce() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "cross-process", null);
    try (KmsEngine other = Calls.secondEngine(f)) {
      CreateGrantResponse g = grant(other, m.keyId(), BOB_ARN, "ReEncryptFrom", "ReEncryptTo");

      ReEncryptResponse r =
          reEncryptWithGrantTokens(
              f.engine, BOB, blob, m.keyId(), m.keyId(), List.of(g.grantToken()));

      assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), null), equalTo("cross-process"));
    }
  }

  // ---- ListGrants ----------------------------------------------------------------------------

  @Test
  void listGrants_showsEveryFieldOfTheGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g =
        f.engine.createGrant(
            ROOT,
            grantRequest(m.keyId(), BOB_ARN, "Decrypt", "ReEncryptFrom")
                .retiringPrincipal(CAROL_ARN)
                .constraints(subsetOf(ACME))
                .name("nightly-rekey")
                .build());

    assertThat(
        grants(m.keyId()),
        contains(
            new GrantListEntry(
                m.arn(),
                g.grantId(),
                "nightly-rekey",
                START,
                BOB_ARN,
                CAROL_ARN,
                "arn:verenc:111122223333:root",
                List.of("Decrypt", "ReEncryptFrom"),
                subsetOf(ACME))));
  }

  @Test
  void listGrants_filtersByGrantIdAndByGrantee() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse bobs = grant(f.engine, m.keyId(), BOB_ARN, "Decrypt");
    CreateGrantResponse carols = grant(f.engine, m.keyId(), CAROL_ARN, "Decrypt");

    ListGrantsResponse byId =
        f.engine.listGrants(
            ROOT, new ListGrantsRequest(m.keyId(), null, null, bobs.grantId(), null));
    ListGrantsResponse byGrantee =
        f.engine.listGrants(ROOT, new ListGrantsRequest(m.keyId(), null, null, null, CAROL_ARN));

    assertThat(
        byId.grants().stream().map(GrantListEntry::grantId).toList(), contains(bobs.grantId()));
    assertThat(
        byGrantee.grants().stream().map(GrantListEntry::grantId).toList(),
        contains(carols.grantId()));
  }

  @Test
  void listGrants_limitAndMarker_pageInCreationOrder() {
    KeyMetadata m = f.symmetricKey();
    String first = grant(f.engine, m.keyId(), BOB_ARN, "Decrypt").grantId();
    String second = grant(f.engine, m.keyId(), CAROL_ARN, "Decrypt").grantId();
    String third = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt").grantId();

    ListGrantsResponse p1 =
        f.engine.listGrants(ROOT, new ListGrantsRequest(m.keyId(), 2, null, null, null));
    ListGrantsResponse p2 =
        f.engine.listGrants(ROOT, new ListGrantsRequest(m.keyId(), 2, p1.nextMarker(), null, null));

    assertThat(p1.grants().stream().map(GrantListEntry::grantId).toList(), contains(first, second));
    assertThat(p1.truncated(), equalTo(true));
    assertThat(p2.grants().stream().map(GrantListEntry::grantId).toList(), contains(third));
    assertThat(p2.truncated(), equalTo(false));
  }

  @Test
  void listGrants_byUserWithoutPermission_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();

    assertAccessDenied(
        BOB_ARN,
        "kms:ListGrants",
        m,
        () -> f.engine.listGrants(BOB, new ListGrantsRequest(m.keyId(), null, null, null, null)));
  }

  // ---- RetireGrant ---------------------------------------------------------------------------

  private CreateGrantResponse grantRetirableByCarol(String keyId, String... operations) {
    return f.engine.createGrant(
        ROOT, grantRequest(keyId, BOB_ARN, operations).retiringPrincipal(CAROL_ARN).build());
  }

  private void retireByToken(Caller caller, String grantToken) {
    f.engine.retireGrant(caller, new RetireGrantRequest(grantToken, null, null, null));
  }

  private static String mayNotRetire(
      String principalArn, CreateGrantResponse grant, KeyMetadata key) {
    return "User: "
        + principalArn
        + " is not authorized to perform: kms:RetireGrant on grant "
        + grant.grantId()
        + " of resource: "
        + key.arn();
  }

  @Test
  void retireGrant_byTokenByTheRetiringPrincipal_removesTheGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grantRetirableByCarol(m.keyId(), "Encrypt");

    retireByToken(CAROL, g.grantToken());

    assertThat(grants(m.keyId()), empty());
    assertBobMayNotEncrypt(f.engine, m);
  }

  @Test
  void retireGrant_byKeyIdAndGrantIdByTheRetiringPrincipal_removesTheGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grantRetirableByCarol(m.keyId(), "Encrypt");

    f.engine.retireGrant(CAROL, new RetireGrantRequest(null, m.arn(), g.grantId(), null));

    assertThat(grants(m.keyId()), empty());
  }

  @Test
  void retireGrant_byTheGranteeWithRetireGrant_removesTheGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt", "RetireGrant");

    retireByToken(BOB, g.grantToken());

    assertThat(grants(m.keyId()), empty());
  }

  @Test
  void retireGrant_byTheGranteeWithoutRetireGrant_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt");

    assertKmsError(
        AccessDeniedException.class,
        mayNotRetire(BOB_ARN, g, m),
        () -> retireByToken(BOB, g.grantToken()));
    assertThat(grants(m.keyId()), hasSize(1));
  }

  @Test
  void retireGrant_byTheAccountRoot_removesTheGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grantRetirableByCarol(m.keyId(), "Encrypt");

    f.engine.retireGrant(ROOT, new RetireGrantRequest(null, m.keyId(), g.grantId(), null));

    assertThat(grants(m.keyId()), empty());
  }

  @Test
  void retireGrant_byAnUnrelatedUser_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grantRetirableByCarol(m.keyId(), "Encrypt");

    assertKmsError(
        AccessDeniedException.class,
        mayNotRetire("arn:verenc:111122223333:user/dave", g, m),
        () -> retireByToken(DAVE, g.grantToken()));
  }

  @Test
  void retireGrant_neitherTokenNorIds_isValidation() {
    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Either GrantToken, or both KeyId and GrantId, must be"
            + " specified.",
        () -> f.engine.retireGrant(ROOT, new RetireGrantRequest(null, null, null, null)));
  }

  @Test
  void retireGrant_unknownGrantId_isNotFound() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        NotFoundException.class,
        "Grant ID " + UNKNOWN_GRANT_ID + " not found",
        () ->
            f.engine.retireGrant(
                ROOT, new RetireGrantRequest(null, m.keyId(), UNKNOWN_GRANT_ID, null)));
  }

  // ---- RevokeGrant ---------------------------------------------------------------------------

  @Test
  void revokeGrant_removesTheGrantAndItsAccessAtOnce() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt");
    encrypt(f.engine, BOB, m.keyId(), "allowed while granted", null);

    f.engine.revokeGrant(ROOT, new RevokeGrantRequest(m.keyId(), g.grantId(), null));

    assertThat(grants(m.keyId()), empty());
    assertBobMayNotEncrypt(f.engine, m);
  }

  @Test
  void revokeGrant_unknownGrantId_isNotFound() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        NotFoundException.class,
        "Grant ID " + UNKNOWN_GRANT_ID + " not found",
        () ->
            f.engine.revokeGrant(ROOT, new RevokeGrantRequest(m.keyId(), UNKNOWN_GRANT_ID, null)));
  }

  @Test
  void revokeGrant_malformedGrantId_isInvalidGrantId() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        InvalidGrantIdException.class,
        "Invalid grant ID: abc",
        () -> f.engine.revokeGrant(ROOT, new RevokeGrantRequest(m.keyId(), "abc", null)));
  }

  @Test
  void revokeGrant_byTheGrantee_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse g = grant(f.engine, m.keyId(), BOB_ARN, "Encrypt", "RetireGrant");

    assertAccessDenied(
        BOB_ARN,
        "kms:RevokeGrant",
        m,
        () -> f.engine.revokeGrant(BOB, new RevokeGrantRequest(m.keyId(), g.grantId(), null)));
  }

  // ---- Idempotency ---------------------------------------------------------------------------

  private CreateGrantResponse namedGrant(String keyId, String name, String... operations) {
    return f.engine.createGrant(ROOT, grantRequest(keyId, BOB_ARN, operations).name(name).build());
  }

  @Test
  void createGrant_sameNameAndParameters_returnsTheSameGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse first = namedGrant(m.keyId(), "retry-safe", "Decrypt");

    CreateGrantResponse retry = namedGrant(m.keyId(), "retry-safe", "Decrypt");

    assertThat(retry, equalTo(first));
    assertThat(grants(m.keyId()), hasSize(1));
  }

  @Test
  void createGrant_sameNameOtherOperations_createsAnotherGrant() {
    KeyMetadata m = f.symmetricKey();
    CreateGrantResponse first = namedGrant(m.keyId(), "retry-safe", "Decrypt");

    CreateGrantResponse other = namedGrant(m.keyId(), "retry-safe", "Encrypt");

    assertThat(other.grantId(), not(equalTo(first.grantId())));
    assertThat(grants(m.keyId()), hasSize(2));
  }

  @Test
  void createGrant_unnamedTwice_createsTwoGrants() {
    KeyMetadata m = f.symmetricKey();

    grant(f.engine, m.keyId(), BOB_ARN, "Decrypt");
    grant(f.engine, m.keyId(), BOB_ARN, "Decrypt");

    assertThat(grants(m.keyId()), hasSize(2));
  }

  @Test
  void grants_areNotCopiedToReplicas() {
    KeyMetadata m = Calls.multiRegionKey(f);
    grant(f.engine, m.keyId(), BOB_ARN, "Encrypt");

    replicate(f.engine, ROOT, m.keyId(), "eu-west-1");

    Caller bobInEu = new Caller(BOB.principal(), EngineFixture.EU_WEST_1);
    assertAccessDenied(
        BOB_ARN, "kms:Encrypt", m, () -> encrypt(f.engine, bobInEu, m.keyId(), "x", null));
  }
}
