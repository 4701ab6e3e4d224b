package io.mxwatch.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryRandomTest {
  @Test
  void idsSpreadOverAllSixteenBitsAcrossManyBlocks() {
    // 20,000 IDs read 40,000 bytes: ten blocks of the generator
    int draws = 20_000;
    Set<Integer> distinct = new HashSet<>();
    int[] ones = new int[16];
    for (int i = 0; i < draws; i++) {
      int id = QueryRandom.id();
      assertThat(id).isBetween(0, 0xffff);
      distinct.add(id);
      for (int bit = 0; bit < 16; bit++) {
        ones[bit] += (id >>> bit) & 1;
      }
    }
    // 20,000 draws of 65,536 values: ~17,240 distinct expected (sd ~55); a stuck or repeating
    // source gives far fewer
    assertThat(distinct.size()).isGreaterThan(16_500);
    for (int bit = 0; bit < 16; bit++) {
      assertThat(ones[bit]).as("bit %d set about half the time", bit).isBetween(9_000, 11_000);
    }
  }

  @Test
  void caseBitsAreNotRepeated() {
    Set<Long> seen = new HashSet<>();
    int[] ones = new int[64];
    for (int i = 0; i < 1_000; i++) {
      long bits = QueryRandom.bits();
      seen.add(bits);
      for (int bit = 0; bit < 64; bit++) {
        ones[bit] += (int) ((bits >>> bit) & 1);
      }
    }
    assertThat(seen).hasSize(1_000);
    for (int bit = 0; bit < 64; bit++) {
      assertThat(ones[bit]).as("bit %d set about half the time", bit).isBetween(400, 600);
    }
  }
}
