package io.daprx.manager.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.model.DomainException;
import io.daprx.proto.scheduler.admin.v1.JobKind;
import io.daprx.proto.scheduler.admin.v1.JobRef;
import io.daprx.proto.scheduler.admin.v1.JobSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jobs named as the Dapr CLI names them, both ways, and its delete-all keys. */
class JobNamesTest {

  @Test
  void everyNameTheDaprCliWritesReadsBackAsTheSameJob() {
    for (String name : List.of("app/cart/nightly", "actor/Basket/b1/ping", "workflow/cart/order-1/timer-0",
        "activity/cart/order-1::0::1", "actor/dapr.internal.shop.cart.retentioner/order-1/retention")) {
      JobRef ref = JobNames.parse(name, "shop");
      assertThat(JobNames.name(ref)).as(name).isEqualTo(name);
    }
    JobRef wf = JobNames.parse("workflow/cart/order-1/timer-0", "shop");
    assertThat(wf.getActor().getType()).isEqualTo("dapr.internal.shop.cart.workflow");
    assertThat(JobNames.parse("activity/cart/x::1::1", "shop").getName()).isEqualTo("run-activity");
    assertThat(JobNames.kind(JobNames.parse("actor/Basket/b1/ping", "shop"))).isEqualTo("actor");
  }

  @Test
  void aNameOfTheWrongShapeSaysTheShapeExpected() {
    assertThatThrownBy(() -> JobNames.parse("app/cart", "shop")).isInstanceOf(DomainException.class)
        .hasMessageContaining("app/{app ID}/{job name}");
    assertThatThrownBy(() -> JobNames.parse("actor/Basket/ping", "shop")).hasMessageContaining("actor/{actor type}/{actor ID}/{reminder name}");
    assertThatThrownBy(() -> JobNames.parse("job/x/y", "shop")).hasMessageContaining("unsupported job type 'job'");
  }

  @Test
  void deleteAllKeysBecomeSelectorsOfTheNamespace() {
    assertThat(JobNames.deleteAllKey("all", "shop")).containsExactly(
        JobSelector.newBuilder().setNamespace("shop").setKind(JobKind.JOB_KIND_ALL).build());
    assertThat(JobNames.deleteAllKey("app/cart", "shop").get(0).getAppId()).isEqualTo("cart");
    JobSelector actor = JobNames.deleteAllKey("actor/Basket/b1", "shop").get(0);
    assertThat(actor.getKind()).isEqualTo(JobKind.JOB_KIND_ACTOR);
    assertThat(actor.getActorType()).isEqualTo("Basket");
    assertThat(actor.getActorId()).isEqualTo("b1");
    JobSelector wf = JobNames.deleteAllKey("workflow/cart/order-1", "shop").get(0);
    assertThat(wf.getKind()).isEqualTo(JobKind.JOB_KIND_WORKFLOW);
    assertThat(wf.getActorId()).isEqualTo("order-1");
    for (String bad : List.of("jobs", "all/x", "app/a/b", "actor/T/i/x", "workflow//x", "")) {
      assertThatThrownBy(() -> JobNames.deleteAllKey(bad, "shop")).as(bad).hasMessageContaining("use all, app, app/{app ID}");
    }
  }

  @Test
  void aFilterIsOneOfTheDaprCliFive() {
    assertThat(JobNames.filter(null)).isEqualTo(JobKind.JOB_KIND_ALL);
    assertThat(JobNames.filter("Workflow")).isEqualTo(JobKind.JOB_KIND_WORKFLOW);
    assertThatThrownBy(() -> JobNames.filter("timers")).hasMessageContaining("all, app, actor, workflow, activity");
  }
}
