package io.qkms.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The command line uses the engine's declared API only (kms-engine/README.md), and the HTTP module
 * only to serve: every other command runs without Jetty on its class path.
 */
class EngineApiTest {
  private static final JavaClasses CLI = new ClassFileImporter().importPackages("io.qkms.cli");

  @Test
  void cli_dependsOnNoEngineInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qkms.engine.internal..")
        .check(CLI);
  }

  @Test
  void onlyServe_dependsOnTheHttpModule_beyondItsJettyFreeTlsPackage() {
    noClasses()
        .that()
        .doNotHaveSimpleName("Serve")
        .should()
        .dependOnClassesThat(
            resideInAPackage("io.qkms.http..").and(not(resideInAPackage("io.qkms.http.tls"))))
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.qkms.cli"));
  }
}
