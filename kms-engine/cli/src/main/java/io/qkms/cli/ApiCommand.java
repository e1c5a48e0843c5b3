package io.qkms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.wire.Dispatcher;
import io.qkms.engine.wire.WireResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * An API command: turns its options into the operation's request JSON (or takes {@code
 * --cli-input-json} as it is), hands it to the engine's {@link Dispatcher} over the key store, and
 * prints the response JSON, or the error on stderr (exit status 254). The call is recorded in the
 * store's audit trail ({@link CliAudit}) before anything is printed.
 */
final class ApiCommand {
  private ApiCommand() {}

  static int run(Invocation inv, CommandTable.Command op, ParseResult sub) {
    CommandSpec spec = sub.commandSpec();
    Output output = Invocation.output(sub);
    ParamValues.BinaryFormat binary =
        ParamValues.BinaryFormat.parse(Invocation.value(sub, "--cli-binary-format", "base64"));
    String input = Invocation.value(sub, "--cli-input-json", null);
    ObjectNode request =
        input == null ? JsonNodeFactory.instance.objectNode() : ParamValues.inputJson(input);
    boolean fromOptions = false;
    for (CommandTable.Member m : op.members()) {
      OptionSpec option = spec.findOption(m.option());
      if (sub.hasMatchedOption(option)) {
        request.set(m.name(), requestValue(m, option, binary));
        fromOptions = true;
      }
    }
    List<String> missing = new ArrayList<>();
    for (CommandTable.Member m : op.members()) {
      JsonNode v = request.get(m.name());
      if (op.required().contains(m.name()) && (v == null || v.isNull())) {
        missing.add(m.option());
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          "the following arguments are required: " + String.join(", ", missing));
    }
    Region region = Invocation.optionalRegion(sub);
    String arn = Invocation.value(sub, "--principal", null);
    Principal principal = arn == null ? null : Invocation.principal(arn);
    // --cli-input-json alone is sent exactly as given; options on top of it are merged in.
    byte[] body =
        input != null && !fromOptions
            ? ParamValues.text("--cli-input-json", input).getBytes(StandardCharsets.UTF_8)
            : request.toString().getBytes(StandardCharsets.UTF_8);

    boolean refuseUnaudited = CliAudit.refuses(sub);
    FileKeyStore store = inv.openStore(sub);
    try (store;
        CliAudit audit = CliAudit.open(inv, sub, store, refuseUnaudited);
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller =
          new Caller(
              principal == null ? Principal.root(engine.accountId()) : principal,
              region == null ? engine.homeRegion() : region);
      WireResponse r = new Dispatcher(engine).dispatch(op.xAmzTarget(), body, caller);
      audit.record(
          op.target(), caller, body, r.isError() ? null : r.body(), r.errorCode(), r.grantIds());
      if (r.isError()) {
        inv.err.println(Output.errorLine(r.body()));
        return Qkms.API_ERROR;
      }
      inv.print(output.render(r.body()));
      return Qkms.OK;
    }
  }

  private static JsonNode requestValue(
      CommandTable.Member m, OptionSpec option, ParamValues.BinaryFormat binary) {
    String name = m.option();
    Object v = option.getValue();
    return switch (m.kind()) {
      case STRING -> ParamValues.textNode(ParamValues.text(name, (String) v));
      case INTEGER -> JsonNodeFactory.instance.numberNode(ParamValues.integer(name, (String) v));
      case BOOLEAN -> JsonNodeFactory.instance.booleanNode((Boolean) v);
      case BLOB -> ParamValues.textNode(ParamValues.blob(name, (String) v, binary));
      case STRING_MAP -> ParamValues.stringMap(name, (String) v);
      case STRING_LIST -> ParamValues.stringList(name, strings(v));
      case STRUCTURE -> ParamValues.structure(name, (String) v);
      case TAGS -> ParamValues.structureList(name, strings(v));
      case STRUCTURE_LIST -> ParamValues.objectArray(name, (String) v);
    };
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object v) {
    return (List<String>) v;
  }
}
