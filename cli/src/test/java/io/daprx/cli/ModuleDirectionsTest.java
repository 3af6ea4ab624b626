package io.daprx.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The module directions of DESIGN.md over the whole jar: {@code cli → manager → (components) → common → proto}, and no
 * component depends on another (what two components share lives in common).
 */
@AnalyzeClasses(packages = "io.daprx", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleDirectionsTest {

  private static final List<String> COMPONENTS = List.of("sentry", "placement", "scheduler", "operator", "injector", "dashboard");

  @ArchTest
  static final ArchRule protoDependsOnNothingOfOurs = noClasses().that().resideInAPackage("io.daprx.proto..")
      .should().dependOnClassesThat().resideInAnyPackage("io.daprx.common..", "io.daprx.sentry..", "io.daprx.placement..",
          "io.daprx.scheduler..", "io.daprx.operator..", "io.daprx.injector..", "io.daprx.dashboard..", "io.daprx.manager..",
          "io.daprx.cli..");

  @ArchTest
  static final ArchRule commonKnowsNoComponent = noClasses().that().resideInAPackage("io.daprx.common..")
      .should().dependOnClassesThat().resideInAnyPackage("io.daprx.sentry..", "io.daprx.placement..", "io.daprx.scheduler..",
          "io.daprx.operator..", "io.daprx.injector..", "io.daprx.dashboard..", "io.daprx.manager..", "io.daprx.cli..");

  @ArchTest
  static final ArchRule noComponentDependsOnAnother = noClasses().that().resideInAnyPackage(packages(COMPONENTS))
      .should(new com.tngtech.archunit.lang.ArchCondition<com.tngtech.archunit.core.domain.JavaClass>("depend on another component") {
        @Override
        public void check(com.tngtech.archunit.core.domain.JavaClass c, com.tngtech.archunit.lang.ConditionEvents events) {
          String own = component(c.getPackageName());
          c.getDirectDependenciesFromSelf().forEach(d -> {
            String other = component(d.getTargetClass().getPackageName());
            if (other != null && !other.equals(own)) {
              events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(d, d.getDescription()));
            }
          });
        }
      });

  @ArchTest
  static final ArchRule componentsKnowNoManager = noClasses().that().resideInAnyPackage(packages(COMPONENTS))
      .should().dependOnClassesThat().resideInAnyPackage("io.daprx.manager..", "io.daprx.cli..");

  @ArchTest
  static final ArchRule managerKnowsNoCli = noClasses().that().resideInAPackage("io.daprx.manager..")
      .should().dependOnClassesThat().resideInAPackage("io.daprx.cli..");

  private static String[] packages(List<String> components) {
    return components.stream().map(c -> "io.daprx." + c + "..").toArray(String[]::new);
  }

  /** The component a package belongs to, or null for one that is no component's. */
  private static String component(String pkg) {
    for (String c : COMPONENTS) {
      if (pkg.equals("io.daprx." + c) || pkg.startsWith("io.daprx." + c + ".")) {
        return c;
      }
    }
    return null;
  }
}
