package io.daprx.manager;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameEndingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The manager's layers point one way: the API over the engine over the targets over the renderers, with the model
 * (settings, the control-plane table, domain errors) under all of them. The server's root package wires them together.
 */
@AnalyzeClasses(packages = "io.daprx.manager", importOptions = ImportOption.DoNotIncludeTests.class)
class ManagerLayersTest {

  private static final String[] COMPONENTS = {"io.daprx.sentry..", "io.daprx.placement..", "io.daprx.operator..",
      "io.daprx.injector..", "io.daprx.dashboard..", "io.daprx.scheduler.."};

  @ArchTest
  static final ArchRule layersPointOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("Server").definedBy("io.daprx.manager")
      .layer("Api").definedBy("io.daprx.manager.api..")
      .layer("Engine").definedBy("io.daprx.manager.engine..")
      .layer("Targets").definedBy("io.daprx.manager.deploy..")
      .layer("Renderers").definedBy("io.daprx.manager.install..", "io.daprx.manager.kube..")
      .layer("Supervisor").definedBy("io.daprx.manager.local..")
      .layer("Model").definedBy("io.daprx.manager.model..")
      .layer("Foundations").definedBy("io.daprx.manager.catalog..", "io.daprx.manager.store..", "io.daprx.manager.security..")
      .whereLayer("Server").mayNotBeAccessedByAnyLayer()
      .whereLayer("Api").mayOnlyBeAccessedByLayers("Server")
      .whereLayer("Engine").mayOnlyBeAccessedByLayers("Server", "Api")
      .whereLayer("Targets").mayOnlyBeAccessedByLayers("Server", "Api", "Engine")
      .whereLayer("Renderers").mayOnlyBeAccessedByLayers("Server", "Api", "Engine", "Targets")
      .whereLayer("Supervisor").mayOnlyBeAccessedByLayers("Server", "Api", "Engine", "Targets")
      .whereLayer("Model").mayOnlyBeAccessedByLayers("Server", "Api", "Engine", "Targets", "Renderers", "Foundations");

  @ArchTest
  static final ArchRule noCyclesBetweenPackages = slices().matching("io.daprx.manager.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule httpStaysInTheApi = noClasses().that().resideOutsideOfPackages("io.daprx.manager.api..", "io.daprx.manager")
      .should().dependOnClassesThat().resideInAPackage("io.javalin..")
      .because("the engine raises domain errors and writes to plain streams; only the API speaks HTTP");

  @ArchTest
  static final ArchRule componentsOnlyThroughTheirFlags = noClasses().that().resideInAPackage("io.daprx.manager..")
      .should().dependOnClassesThat(resideInAnyPackage(COMPONENTS).and(not(simpleNameEndingWith("Flags"))))
      .because("the manager knows a component only by its launch flags and health endpoints; shared types live in common");
}
