package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line and the engine's operation catalogue agree: one command per operation. */
class CommandTableTest {
  @Test
  void everyOperation_hasItsCommand_inTheCataloguesOrder() {
    assertThat(
        CommandTable.all().stream().map(CommandTable.Command::target).toList(),
        equalTo(Operations.all().stream().map(Operation::name).toList()));
    assertThat(CommandTable.byCommand("re-encrypt").target(), equalTo("ReEncrypt"));
    assertThat(
        CommandTable.byCommand("generate-data-key-without-plaintext").target(),
        equalTo("GenerateDataKeyWithoutPlaintext"));
  }

  @Test
  void everyCommand_hasAnOptionPerRequestMember_andRequiresOnlyMembersItHas() {
    for (CommandTable.Command c : CommandTable.all()) {
      List<String> members =
          Arrays.stream(c.operation().requestType().getRecordComponents())
              .map(rc -> rc.getAccessor().getAnnotation(JsonProperty.class).value())
              .toList();
      List<String> names = c.members().stream().map(CommandTable.Member::name).toList();
      assertThat(c.command(), names, equalTo(members));
      assertThat(
          c.command() + " requires " + c.required(),
          names.containsAll(c.required()),
          equalTo(true));
    }
  }

  @Test
  void memberKinds_followTheRequestTypes() {
    CommandTable.Command reEncrypt = CommandTable.byCommand("re-encrypt");
    assertThat(kind(reEncrypt, "CiphertextBlob"), equalTo(CommandTable.Kind.BLOB));
    assertThat(kind(reEncrypt, "SourceEncryptionContext"), equalTo(CommandTable.Kind.STRING_MAP));
    assertThat(kind(reEncrypt, "GrantTokens"), equalTo(CommandTable.Kind.STRING_LIST));
    assertThat(kind(reEncrypt, "DryRun"), equalTo(CommandTable.Kind.BOOLEAN));
    assertThat(kind(reEncrypt, "DestinationKeyId"), equalTo(CommandTable.Kind.STRING));
    CommandTable.Command createKey = CommandTable.byCommand("create-key");
    assertThat(kind(createKey, "Tags"), equalTo(CommandTable.Kind.TAGS));
    CommandTable.Command createGrant = CommandTable.byCommand("create-grant");
    assertThat(kind(createGrant, "Constraints"), equalTo(CommandTable.Kind.STRUCTURE));
    CommandTable.Command generate = CommandTable.byCommand("generate-data-key");
    assertThat(kind(generate, "NumberOfBytes"), equalTo(CommandTable.Kind.INTEGER));
  }

  private static CommandTable.Kind kind(CommandTable.Command c, String member) {
    return c.members().stream()
        .filter(m -> m.name().equals(member))
        .findFirst()
        .orElseThrow()
        .kind();
  }
}
