package io.mxwatch.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuditTest {
  private static final Finding SINGLE = Finding.of(FindingCode.MX_SINGLE_HOST, "example.test", "one exchange");

  @Test
  void aFindingAddedTakesItsPlaceWorstFirstAndCountsInTheStatus() {
    Audit audit = new Audit(Status.OK, List.of(SINGLE));
    Finding noAll = Finding.of(FindingCode.SPF_NO_ALL, "example.test", "no all");
    Audit more = audit.with(noAll);
    assertThat(more.findings()).containsExactly(noAll, SINGLE);
    assertThat(more.status()).isEqualTo(Status.WARNING);
    assertThat(audit.findings()).as("the audit itself is left as it was").containsExactly(SINGLE);
  }

  @Test
  void theSameFindingTwiceIsOneFinding() {
    Audit audit = new Audit(Status.OK, List.of(SINGLE));
    assertThat(audit.with(Finding.of(FindingCode.MX_SINGLE_HOST, "example.test", "said otherwise"))).isSameAs(audit);
    assertThat(audit.with(Finding.of(FindingCode.MX_SINGLE_HOST, "other.test", "one exchange")).findings()).hasSize(2);
  }
}
