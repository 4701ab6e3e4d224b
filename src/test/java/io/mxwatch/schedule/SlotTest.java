package io.mxwatch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mxwatch.config.MxwatchConfig.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The slot arithmetic: every domain's check falls in the window of its slot, every interval. */
class SlotTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:34:56.789Z");

  @Test
  void intervalsAreCutIntoSlotsOfAboutTenSecondsAndAtMost360() {
    assertThat(Slot.count(1_000)).isEqualTo(1);
    assertThat(Slot.count(60_000)).isEqualTo(6);
    assertThat(Slot.count(300_000)).isEqualTo(30);
    assertThat(Slot.count(3_600_000)).isEqualTo(360);
    assertThat(Slot.count(86_400_000)).isEqualTo(360);
  }

  @Test
  void eachDomainsDueTimeLiesInTheWindowOfItsSlotAndIsItsOffset() {
    for (Duration interval : List.of(Duration.ofSeconds(1), Duration.ofSeconds(7), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1))) {
      for (int i = 0; i < 2000; i++) {
        String domain = "d" + i + ".example.org";
        Slot slot = Slot.of(domain, interval);
        long offset = Jitter.offsetMillis(domain, interval);
        assertThat(offset).as(domain).isBetween(slot.startMs(), slot.endMs() - 1);
        long k = slot.currentWindow(NOW);
        Instant due = slot.due(k, offset);
        assertThat(due).isBetween(slot.windowStart(k), slot.windowEnd(k).minusMillis(1));
        assertThat(due).as("the same instant Jitter gives").isEqualTo(Jitter.firstSlot(domain, interval, slot.windowStart(k)));
      }
    }
  }

  @Test
  void aJobFiresALeadBeforeItsWindowAndItsFiringNamesThatWindow() {
    Slot slot = new Slot(300_000, 7, 30);
    Instant fire = slot.firstFire(NOW);
    assertThat(fire).isBetween(NOW, NOW.plus(Duration.ofMinutes(5)));
    long k = slot.windowAt(fire);
    assertThat(slot.windowStart(k)).isEqualTo(fire.plusMillis(slot.leadMs()));
    assertThat(slot.windowAt(fire.plus(Duration.ofMinutes(5)))).isEqualTo(k + 1);
    assertThat(slot.leadMs()).isEqualTo(Slot.LEAD_MS);
    assertThat(new Slot(1_000, 0, 1).leadMs()).as("never more than half a short slot").isEqualTo(500);
  }

  @Test
  void theWindowInProgressIsTheFirstNotYetEnded() {
    Slot slot = new Slot(60_000, 2, 6); // [20 s, 30 s) of every minute
    Instant inside = Instant.parse("2026-11-28T12:00:25Z");
    assertThat(slot.windowStart(slot.currentWindow(inside))).isEqualTo(Instant.parse("2026-11-28T12:00:20Z"));
    Instant after = Instant.parse("2026-11-28T12:00:30Z");
    assertThat(slot.windowStart(slot.currentWindow(after))).isEqualTo(Instant.parse("2026-11-28T12:01:20Z"));
  }

  @Test
  void thePlanPutsEveryDomainInExactlyOneJobByOffset() {
    List<Planned> planned = new ArrayList<>();
    IntStream.range(0, 3000).forEach(i -> planned.add(new Planned("d" + i + ".example.org", new Schedule.Every(Duration.ofMinutes(5)))));
    planned.add(new Planned("cron.example.org", new Schedule.Cron("0 */5 * * * ?")));
    SchedulePlan plan = SchedulePlan.of(planned);
    assertThat(plan.jobs()).hasSize(31);
    int total = 0;
    for (String job : plan.jobs().keySet()) {
      List<SchedulePlan.Entry> entries = plan.domains(job);
      total += entries.size();
      assertThat(entries).isSortedAccordingTo(java.util.Comparator.comparingLong(SchedulePlan.Entry::offsetMs));
    }
    assertThat(total).isEqualTo(3001);
    assertThat(plan.domains("no-such-job")).isEmpty();
  }

  @Test
  void aSlotOutsideItsIntervalIsRefused() {
    assertThatThrownBy(() -> new Slot(60_000, 6, 6)).isInstanceOf(IllegalArgumentException.class);
  }
}
